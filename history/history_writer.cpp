#include "history/history_writer.hpp"

namespace treadmill::history {

HistoryWriter::HistoryWriter(std::unique_ptr<HistoryStore> store, std::size_t capacity, Log log,
                             Ended ended, std::function<void()> on_thread)
    : store_(std::move(store)),
      capacity_(capacity),
      log_(std::move(log)),
      ended_(std::move(ended)) {
    status_.database = store_->path();
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
    wake_.notify_one();
    thread_.join();
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
    wake_.notify_one();
}

WriterStatus HistoryWriter::status() const {
    std::lock_guard lock(mutex_);
    WriterStatus s = status_;
    s.queued = queue_.size();
    return s;
}

void HistoryWriter::flush() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

void HistoryWriter::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty() && stopping_) return;
        std::deque<Record> batch;
        batch.swap(queue_);
        writing_ = true;
        lock.unlock();
        write_batch(batch);
        lock.lock();
        writing_ = false;
        if (queue_.empty()) idle_.notify_all();
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
