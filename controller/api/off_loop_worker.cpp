#include "controller/api/off_loop_worker.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace treadmill::api {

namespace {

// Below the io_context thread, so a parse never takes the CPU from a control cycle; failing
// (a sandbox) only costs that preference.
void lower_this_threads_priority() {
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    (void)::setpriority(PRIO_PROCESS, tid, 10);
}

}  // namespace

OffLoopWorker::OffLoopWorker(boost::asio::io_context& loop)
    : loop_(loop), thread_([this] { thread_main(); }) {}

OffLoopWorker::~OffLoopWorker() {
    {
        std::lock_guard lock(mutex_);
        quit_ = true;
        jobs_.clear();
    }
    wake_.notify_all();
    thread_.join();
}

void OffLoopWorker::stop() {
    *stopped_ = true;
    std::lock_guard lock(mutex_);
    jobs_.clear();
}

std::size_t OffLoopWorker::backlog() const {
    std::lock_guard lock(mutex_);
    return jobs_.size() + running_;
}

void OffLoopWorker::enqueue(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        if (quit_ || *stopped_) return;
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
}

void OffLoopWorker::thread_main() {
    lower_this_threads_priority();
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return quit_ || !jobs_.empty(); });
        if (quit_) return;
        auto job = std::move(jobs_.front());
        jobs_.pop_front();
        ++running_;
        lock.unlock();
        job();
        lock.lock();
        --running_;
    }
}

}  // namespace treadmill::api
