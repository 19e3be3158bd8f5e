#include "history/history_writer.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>

namespace treadmill::history {

HistoryWriter::HistoryWriter(std::unique_ptr<HistoryStore> store, std::size_t capacity, Log log,
                             Ended ended, std::function<void()> on_thread)
    : store_(std::move(store)),
      capacity_(capacity),
      log_(std::move(log)),
      ended_(std::move(ended)) {
    status_.database = store_->path();
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    thread_ = std::thread([this, on_thread = std::move(on_thread)] {
        if (on_thread) on_thread();
        run();
    });
}

HistoryWriter::~HistoryWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake();
    thread_.join();
    ::close(wake_fd_);
}

void HistoryWriter::wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);  // full: already awake
}

void HistoryWriter::sleep() {
    pollfd p{wake_fd_, POLLIN, 0};
    ::poll(&p, 1, 1000);  // woken by push(), or a second later to look anyway
    std::uint64_t count = 0;
    [[maybe_unused]] const auto n = ::read(wake_fd_, &count, sizeof count);
}

void HistoryWriter::push(Record record) {
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() >= capacity_ && std::holds_alternative<Sample>(record)) {
            for (auto it = queue_.rbegin(); it != queue_.rend(); ++it) {
                if (!std::holds_alternative<Sample>(*it)) continue;
                *it = std::move(record);  // the newer sample stands for both
                ++status_.samples_merged;
                return;
            }
        }
        queue_.push_back(std::move(record));
    }
    wake();
}

WriterStatus HistoryWriter::status() const {
    std::lock_guard lock(mutex_);
    WriterStatus s = status_;
    s.queued = queue_.size();
    return s;
}

// Polls (off the loop thread only: tests, shutdown).
void HistoryWriter::flush() {
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (queue_.empty() && !writing_) return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

void HistoryWriter::run() {
    for (;;) {
        std::deque<Record> batch;
        {
            std::lock_guard lock(mutex_);
            if (queue_.empty() && stopping_) return;
            batch.swap(queue_);
            writing_ = !batch.empty();
        }
        if (batch.empty()) {
            sleep();
            continue;
        }
        write_batch(batch);
        std::lock_guard lock(mutex_);
        writing_ = false;
    }
}

// Consecutive records share one transaction; a session's end commits on its own (it also
// checkpoints the WAL).
void HistoryWriter::write_batch(std::deque<Record>& batch) {
    while (!batch.empty()) {
        std::size_t n = 0;
        while (n < batch.size() && !std::holds_alternative<SessionEnd>(batch[n])) ++n;
        if (n == 0) n = 1;
        try {
            if (n == 1) {
                write_one(batch.front());
            } else {
                store_->in_transaction([&] {
                    for (std::size_t i = 0; i < n; ++i) write_one(batch[i]);
                });
            }
            std::lock_guard lock(mutex_);
            status_.written += n;
            if (!status_.ok) log_("history: writing to " + store_->path() + " works again");
            status_.ok = true;
        } catch (const std::exception& e) {
            // A session start rolled back with its batch: the id it got no longer exists.
            for (std::size_t i = 0; i < n; ++i) {
                if (std::holds_alternative<SessionStart>(batch[i])) forget_session();
            }
            failed(e, n);
        }
        batch.erase(batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(n));
    }
}

void HistoryWriter::write_one(const Record& record) {
    if (const auto* start = std::get_if<SessionStart>(&record)) {
        session_ = store_->begin_session(*start);
        std::lock_guard lock(mutex_);
        status_.session = session_;
        return;
    }
    if (!session_) throw std::runtime_error("no session is being recorded (its start failed)");
    if (const auto* sample = std::get_if<Sample>(&record))
        return store_->add_sample(*session_, *sample);
    if (const auto* lap = std::get_if<LapStart>(&record)) return store_->start_lap(*session_, *lap);
    if (const auto* event = std::get_if<Event>(&record))
        return store_->add_event(*session_, *event);
    const auto id = *session_;
    session_.reset();
    {
        std::lock_guard lock(mutex_);
        status_.session.reset();
    }
    const auto beaten = store_->end_session(id, std::get<SessionEnd>(record));
    if (ended_) ended_(id, beaten);
}

void HistoryWriter::forget_session() {
    session_.reset();
    std::lock_guard lock(mutex_);
    status_.session.reset();
}

void HistoryWriter::failed(const std::exception& e, std::size_t lost) {
    std::string line;
    {
        std::lock_guard lock(mutex_);
        ++status_.write_errors;
        status_.lost += lost;
        status_.ok = false;
        if (status_.last_error != e.what()) {
            line = "history: write to " + store_->path() + " failed: " + e.what() + " (" +
                   std::to_string(lost) + " records lost; the workout goes on)";
        }
        status_.last_error = e.what();
    }
    if (!line.empty()) log_(std::move(line));
}

}  // namespace treadmill::history
