#include "history/history_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/json_text.hpp"
#include "history/energy.hpp"
#include "history/history_reader.hpp"
#include "history/history_schema.hpp"
#include "history/lap_totals.hpp"

namespace treadmill::history {

namespace {

namespace fs = std::filesystem;

// The sidecar lock: held (flock, exclusive) for as long as the store is open.
Result<int, std::string> take_lock(const std::string& path) {
    const std::string lock_path = path + ".lock";
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Unexpected{lock_path + ": " + std::strerror(errno)};
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int e = errno;
        ::close(fd);
        if (e == EWOULDBLOCK) {
            return Unexpected{path + " is in use by another writer (lock " + lock_path + ")"};
        }
        return Unexpected{lock_path + ": " + std::strerror(e)};
    }
    return fd;
}

std::string utc_stamp() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &tm);
    return text;
}

// Moves the file and its WAL and shared-memory files aside; returns the new name.
std::string move_aside(const std::string& path) {
    const std::string aside = path + ".corrupt-" + utc_stamp();
    std::error_code ec;
    fs::rename(path, aside, ec);
    if (ec) throw SqliteError("cannot move " + path + " aside: " + ec.message(), 0);
    for (const char* suffix : {"-wal", "-shm"}) {
        if (fs::exists(path + suffix, ec)) fs::rename(path + suffix, aside + suffix, ec);
    }
    return aside;
}

// Per-connection settings, on every open; then the integrity check ("ok" or what is wrong).
std::string configure_and_check(SqliteDb& db, const StoreOptions& options) {
    db.exec("PRAGMA busy_timeout = 1000");
    const std::string mode = db.text_of("PRAGMA journal_mode = WAL");
    if (mode != "wal") throw SqliteError("journal_mode stayed " + mode, 0);
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA foreign_keys = ON");
    if (options.max_page_count > 0) {
        db.exec("PRAGMA max_page_count = " + std::to_string(options.max_page_count));
    }
    return db.text_of("PRAGMA quick_check");
}

void create_schema(SqliteDb& db) {
    const int version = std::stoi(db.text_of("PRAGMA user_version"));
    if (version > kSchemaVersion) {
        throw SqliteError("schema version " + std::to_string(version) + " is newer than " +
                              std::to_string(kSchemaVersion),
                          0);
    }
    Transaction t(db);
    db.exec(kSchemaSql);
    db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    t.commit();
}

// Opens the file and checks it; a file SQLite cannot read, or one failing quick_check, is
// moved aside and a new one made (its name goes into `notes`).
std::unique_ptr<SqliteDb> open_checked(const std::string& path, const StoreOptions& options,
                                       std::vector<std::string>& notes) {
    std::string problem;
    try {
        auto db = std::make_unique<SqliteDb>(path);
        problem = configure_and_check(*db, options);
        if (problem == "ok") {
            create_schema(*db);
            return db;
        }
    } catch (const SqliteError& e) {
        const int primary = e.code() & 0xff;
        if (primary != 26 /* SQLITE_NOTADB */ && primary != 11 /* SQLITE_CORRUPT */) throw;
        problem = e.what();
    }
    const std::string aside = move_aside(path);
    notes.push_back("history database " + path + " is corrupt (" + problem + "): moved aside to " +
                    aside + ", a new one started");
    auto db = std::make_unique<SqliteDb>(path);
    const std::string check = configure_and_check(*db, options);
    if (check != "ok") throw SqliteError("the new database fails quick_check: " + check, 0);
    create_schema(*db);
    return db;
}

// [{"distance","time_s","previous_s"}] (previous_s null for a first).
std::string new_bests_json(const std::vector<NewBest>& bests) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& b : bests) {
        list.push_back({{"distance", b.distance},
                        {"time_s", b.time_s},
                        {"previous_s", b.previous_s ? nlohmann::json(*b.previous_s) : nullptr}});
    }
    return json_text(list);
}

// A crashed session's end: where its last sample was.
SessionEnd interrupted_end(SqliteDb& db, std::int64_t id) {
    Statement last(db,
                   "SELECT elapsed_s, distance_mm FROM samples WHERE session_id = ?"
                   " ORDER BY elapsed_s DESC LIMIT 1");
    last.bind(1, id);
    SessionEnd end;
    end.ended = Ended::interrupted;
    if (last.step()) {
        end.duration_s = last.real(0);
        end.distance_mm = last.int64(1);
    }
    return end;
}

}  // namespace

Result<Opened, std::string> HistoryStore::open(const std::string& path, StoreOptions options) {
    std::error_code ec;
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    auto lock = take_lock(path);
    if (!lock) return Unexpected{lock.error()};
    Opened opened;
    try {
        auto db = open_checked(path, options, opened.notes);
        opened.store.reset(new HistoryStore(path, std::move(db), *lock));
    } catch (const std::exception& e) {
        ::close(*lock);
        return Unexpected{std::string("history database ") + path + ": " + e.what()};
    }
    try {
        for (const auto id : opened.store->close_unfinished()) {
            opened.notes.push_back("history: session " + std::to_string(id) +
                                   " was left unfinished: marked interrupted");
        }
    } catch (const std::exception& e) {
        opened.notes.push_back(std::string("history: cannot close unfinished sessions: ") +
                               e.what());
    }
    return opened;
}

HistoryStore::HistoryStore(std::string path, std::unique_ptr<SqliteDb> db, int lock_fd)
    : path_(std::move(path)), db_(std::move(db)), lock_fd_(lock_fd) {}

HistoryStore::~HistoryStore() {
    db_.reset();
    ::close(lock_fd_);  // releases the lock
}

std::int64_t HistoryStore::begin_session(const SessionStart& s) {
    Statement st(*db_,
                 "INSERT INTO sessions (program_id, name, program_yaml, profile_json, seeds_json,"
                 " start_utc_ms, utc_offset_s, simulated, software_version)"
                 " VALUES (?,?,?,?,?,?,?,?,?)");
    st.bind(1, s.program_id).bind(2, s.name);
    st.bind(3, s.source ? s.source->yaml : std::string())
        .bind(4, s.source ? s.source->profile_json : std::string("{}"));
    st.bind(5, s.seeds_json).bind(6, s.start_utc_ms).bind(7, s.utc_offset_s);
    st.bind(8, s.simulated ? 1 : 0).bind(9, s.software_version);
    st.run();
    return db_->last_insert_id();
}

void HistoryStore::add_sample(std::int64_t session, const Sample& s) {
    Statement st(*db_, "INSERT INTO samples VALUES (?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, session).bind(2, s.elapsed_s).bind(3, s.utc_ms).bind(4, s.distance_mm);
    st.bind(5, s.target_speed_kmh).bind(6, s.speed_kmh).bind(7, s.target_incline_pct);
    st.bind(8, s.incline_pct).bind(9, s.step).bind(10, s.rep);
    st.run();
}

void HistoryStore::add_event(std::int64_t session, const Event& e) {
    Statement st(*db_, "INSERT INTO events VALUES (?,?,?,?,?)");
    st.bind(1, session).bind(2, e.elapsed_s).bind(3, e.utc_ms).bind(4, e.kind).bind(5, e.detail);
    st.run();
}

void HistoryStore::start_lap(std::int64_t session, const LapStart& lap) {
    close_open_lap(session, lap.start_s, lap.start_distance_mm);
    Statement st(*db_,
                 "INSERT INTO laps (session_id, idx, kind, active, step, rep, start_s, start_mm)"
                 " VALUES (?, (SELECT COUNT(*) FROM laps WHERE session_id = ?), ?,?,?,?,?,?)");
    st.bind(1, session).bind(2, session).bind(3, lap.kind).bind(4, lap.active ? 1 : 0);
    st.bind(5, lap.step).bind(6, lap.rep).bind(7, lap.start_s).bind(8, lap.start_distance_mm);
    st.run();
}

// The open lap gets its totals from the samples between its start and `end_s`.
void HistoryStore::close_open_lap(std::int64_t session, double end_s, std::int64_t end_mm) {
    Statement open(*db_,
                   "SELECT idx, start_s, start_mm FROM laps WHERE session_id = ? AND closed = 0");
    open.bind(1, session);
    if (!open.step()) return;
    const std::int64_t idx = open.int64(0);
    const LapBounds bounds{open.real(1), open.int64(2), end_s, end_mm};
    const Lap totals = lap_totals(read_samples(*db_, session), bounds);
    Statement st(*db_,
                 "UPDATE laps SET closed = 1, time_s = ?, distance_m = ?, avg_speed_kmh = ?,"
                 " max_speed_kmh = ?, avg_incline_pct = ?, ascent_m = ?"
                 " WHERE session_id = ? AND idx = ?");
    st.bind(1, totals.time_s).bind(2, totals.distance_m).bind(3, totals.avg_speed_kmh);
    st.bind(4, totals.max_speed_kmh).bind(5, totals.avg_incline_pct).bind(6, totals.ascent_m);
    st.bind(7, session).bind(8, idx);
    st.run();
}

void HistoryStore::store_bests(std::int64_t session) {
    const auto bests = session_bests(read_samples(*db_, session), read_events(*db_, session));
    Statement st(*db_, "INSERT OR REPLACE INTO bests VALUES (?,?,?,?)");
    for (std::size_t d = 0; d < bests.size(); ++d) {
        if (!bests[d]) continue;
        st.bind(1, session).bind(2, std::string(kBestDistances[d].label));
        st.bind(3, bests[d]->time_s).bind(4, bests[d]->start_s);
        st.run();
    }
}

std::vector<NewBest> HistoryStore::find_new_bests(std::int64_t session) {
    Statement st(*db_,
                 "SELECT b.distance, b.time_s,"
                 " (SELECT MIN(o.time_s) FROM bests o JOIN sessions os ON os.id = o.session_id"
                 "  WHERE o.distance = b.distance AND o.session_id != b.session_id"
                 "  AND (s.simulated OR os.simulated = 0))"
                 " FROM bests b JOIN sessions s ON s.id = b.session_id WHERE b.session_id = ?");
    st.bind(1, session);
    std::vector<NewBest> found;
    while (st.step()) {
        NewBest b{st.text(0), st.real(1), std::nullopt};
        if (!st.is_null(2)) b.previous_s = st.real(2);
        if (!b.previous_s || b.time_s < *b.previous_s) found.push_back(std::move(b));
    }
    // In kBestDistances' order.
    std::vector<NewBest> ordered;
    for (const auto& d : kBestDistances) {
        for (auto& b : found) {
            if (b.distance == d.label) ordered.push_back(b);
        }
    }
    return ordered;
}

// The summary's ascent (over the laps) and, with a body mass, the ACSM energy estimate.
void HistoryStore::add_totals_to_summary(std::int64_t session, const SessionEnd& end) {
    nlohmann::json add = {{"ascent_m", 0.0}, {"energy_kcal", nullptr}};
    for (const auto& lap : read_laps(*db_, session)) {
        add["ascent_m"] = add["ascent_m"].get<double>() + lap.ascent_m;
    }
    if (end.body_mass_kg) {
        add["energy_kcal"] = acsm_kcal(read_samples(*db_, session), *end.body_mass_kg);
        add["energy_note"] = "estimate: ACSM walking/running equations, gross";
    }
    Statement st(*db_,
                 "UPDATE sessions SET summary_json = json_patch(summary_json, ?) WHERE id = ?");
    st.bind(1, json_text(add)).bind(2, session);
    st.run();
}

std::vector<NewBest> HistoryStore::end_session(std::int64_t session, const SessionEnd& end) {
    std::vector<NewBest> beaten;
    in_transaction([&] {
        close_open_lap(session, end.duration_s, end.distance_mm);
        Statement st(*db_,
                     "UPDATE sessions SET ended = ?, fault_code = ?, duration_s = ?,"
                     " distance_mm = ?, summary_json = ? WHERE id = ?");
        st.bind(1, to_string(end.ended)).bind(2, end.fault_code).bind(3, end.duration_s);
        st.bind(4, end.distance_mm).bind(5, end.summary_json).bind(6, session);
        st.run();
        store_bests(session);
        beaten = find_new_bests(session);
        add_totals_to_summary(session, end);
        Statement summary(*db_,
                          "UPDATE sessions SET summary_json = json_set(summary_json,"
                          " '$.new_bests', json(?)) WHERE id = ?");
        summary.bind(1, new_bests_json(beaten)).bind(2, session);
        summary.run();
    });
    db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return beaten;
}

std::vector<std::int64_t> HistoryStore::close_unfinished() {
    std::vector<std::int64_t> ids;
    {
        Statement st(*db_, "SELECT id FROM sessions WHERE ended = 'running'");
        while (st.step()) ids.push_back(st.int64(0));
    }
    for (const auto id : ids) end_session(id, interrupted_end(*db_, id));
    return ids;
}

}  // namespace treadmill::history
