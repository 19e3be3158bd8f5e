// The recorder's writer thread: the control loop pushes records (never waiting on SQLite) into
// a bounded queue, and this thread writes them, one transaction per batch. When the queue is
// full a new sample replaces the newest queued one (merged; the loss is counted); session
// starts, laps, events and ends are never dropped. A failed write (read-only or full disk, a
// failed fsync) is counted, kept as the last error and logged once per distinct message; the
// workout goes on.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>  // std::lock_guard, std::unique_lock
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "history/history_store.hpp"
#include "history/pi_mutex.hpp"

namespace treadmill::history {

using Record = std::variant<SessionStart, Sample, LapStart, Event, SessionEnd>;

struct WriterStatus {
    std::string database;
    bool ok = true;                    // the last write succeeded
    std::uint64_t written = 0;         // records written
    std::uint64_t samples_merged = 0;  // samples lost to a full queue
    std::uint64_t lost = 0;            // records lost to failed writes
    std::uint64_t write_errors = 0;
    std::string last_error;
    std::size_t queued = 0;
    std::optional<std::int64_t> session;  // being recorded
};

class HistoryWriter {
  public:
    using Log = std::function<void(std::string)>;
    // Called on the writer thread once a session's end is written: its id, the bests it beat.
    using Ended = std::function<void(std::int64_t, const std::vector<NewBest>&)>;

    // `on_thread` runs first on the writer thread (e.g. to leave real-time scheduling).
    HistoryWriter(std::unique_ptr<HistoryStore> store, std::size_t capacity, Log log,
                  Ended ended = {}, std::function<void()> on_thread = {});
    // Writes what is queued, then stops the thread.
    ~HistoryWriter();
    HistoryWriter(const HistoryWriter&) = delete;
    HistoryWriter& operator=(const HistoryWriter&) = delete;

    // From any thread; takes a priority-inheriting mutex for a moment and wakes the writer
    // through an eventfd; never waits on the database.
    void push(Record record);
    WriterStatus status() const;
    // Waits until everything pushed so far is written (tests, shutdown).
    void flush();

  private:
    void run();
    void write_batch(std::deque<Record>& batch);
    void write_one(const Record& record);
    void failed(const std::exception& e, std::size_t lost);
    void forget_session();

    std::unique_ptr<HistoryStore> store_;
    std::size_t capacity_;
    Log log_;
    Ended ended_;
    void wake();
    // Blocks on the eventfd until woken.
    void sleep();

    mutable PiMutex mutex_;
    int wake_fd_ = -1;
    std::deque<Record> queue_;
    bool writing_ = false;
    bool stopping_ = false;
    WriterStatus status_;
    std::optional<std::int64_t> session_;  // the writer thread's own copy
    std::thread thread_;
};

}  // namespace treadmill::history
