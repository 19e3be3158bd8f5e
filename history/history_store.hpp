// The workout history in one SQLite file, opened by one writer at a time. Opening sets WAL and
// synchronous=FULL (every time: they are per connection), takes an exclusive lock on a sidecar
// `.lock` file (a second writer is refused), runs PRAGMA quick_check (a corrupt file is moved
// aside, kept, and a new one started), creates or checks the schema, and marks any session left
// unfinished by a crash `interrupted`, closing its last lap. Not thread safe: the recorder's
// writer thread owns it; readers open their own read-only connections (history_reader.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/run_source.hpp"
#include "history/bests.hpp"
#include "history/session_record.hpp"
#include "history/sqlite_db.hpp"

namespace treadmill::history {

inline constexpr int kSchemaVersion = 1;

// What is known when a session starts.
struct SessionStart {
    std::string program_id;
    std::string name;
    // The program's text as run, the profile references and overrides used (none: empty, {}).
    std::shared_ptr<const RunSource> source;
    std::string seeds_json;  // fartlek seeds
    std::int64_t start_utc_ms = 0;
    int utc_offset_s = 0;
    bool simulated = false;
    std::string software_version;
};

// A lap begins (and the one before it ends there).
struct LapStart {
    std::string kind;
    bool active = true;
    int step = 0;
    int rep = 0;
    double start_s = 0;
    std::int64_t start_distance_mm = 0;
};

// How a session ended.
struct SessionEnd {
    Ended ended = Ended::completed;
    std::optional<std::string> fault_code;
    double duration_s = 0;
    std::int64_t distance_mm = 0;
    std::string summary_json = "{}";     // the end-of-workout summary, as shown by `watch`
    std::optional<double> body_mass_kg;  // the profile's, for the energy estimate
};

// A best this session set: its time, and the one it beat (none for a first).
struct NewBest {
    std::string distance;  // 400m … 10km
    double time_s = 0;
    std::optional<double> previous_s;
};

struct StoreOptions {
    // Caps the file's pages (PRAGMA max_page_count); 0 leaves SQLite's limit. Lets a test
    // reach a real SQLITE_FULL without filling a disk.
    std::int64_t max_page_count = 0;
};

struct Opened;

class HistoryStore {
  public:
    // Opens or creates the database; the error says why it cannot be written.
    static Result<Opened, std::string> open(const std::string& path, StoreOptions options = {});
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    std::int64_t begin_session(const SessionStart& start);
    void add_sample(std::int64_t session, const Sample& sample);
    void add_event(std::int64_t session, const Event& event);
    // Closes the open lap (if any) at this lap's start and opens this one.
    void start_lap(std::int64_t session, const LapStart& lap);
    // Closes the last lap, writes totals and bests, then checkpoints the WAL (TRUNCATE). Returns
    // the personal bests it beat (a simulated session is compared with all sessions, a real one
    // with real ones only); they also go into the summary's "new_bests".
    std::vector<NewBest> end_session(std::int64_t session, const SessionEnd& end);
    // Runs `work` in one transaction (rolled back when it throws).
    template <typename F>
    void in_transaction(F&& work) {
        Transaction t(*db_);
        work();
        t.commit();
    }
    const std::string& path() const { return path_; }
    SqliteDb& db() { return *db_; }

  private:
    HistoryStore(std::string path, std::unique_ptr<SqliteDb> db, int lock_fd);
    void close_open_lap(std::int64_t session, double end_s, std::int64_t end_mm);
    void store_bests(std::int64_t session);
    std::vector<NewBest> find_new_bests(std::int64_t session);
    void add_totals_to_summary(std::int64_t session, const SessionEnd& end);
    // Sessions still `running` (a crash): interrupted, their last lap closed. Their ids.
    std::vector<std::int64_t> close_unfinished();

    std::string path_;
    std::unique_ptr<SqliteDb> db_;
    int lock_fd_;
};

// An open store and what happened while opening it (for the log).
struct Opened {
    std::unique_ptr<HistoryStore> store;
    std::vector<std::string> notes;  // e.g. "corrupt database moved aside to ..."
};

}  // namespace treadmill::history
