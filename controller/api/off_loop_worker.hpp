// One background thread for the API's heavy work (reading and parsing workout programs), so the
// io_context thread that also runs the control cycle never waits for it. Each job's result is
// handed back to the io_context, where its `done` runs.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "common/callback_guard.hpp"
#include "common/result.hpp"

namespace treadmill::api {

// `work()`, or the message of the exception it threw.
template <class Work>
Result<std::invoke_result_t<Work&>, std::string> run_catching(Work& work) {
    try {
        return work();
    } catch (const std::exception& e) {
        return Unexpected{std::string(e.what())};
    } catch (...) {
        return Unexpected{std::string("unknown exception")};
    }
}

class OffLoopWorker {
  public:
    // Starts the thread (at a lower priority than the loop's).
    explicit OffLoopWorker(boost::asio::io_context& loop);
    // Stops, then joins the thread.
    ~OffLoopWorker();
    OffLoopWorker(const OffLoopWorker&) = delete;
    OffLoopWorker& operator=(const OffLoopWorker&) = delete;

    // Runs `work()` on the worker thread, then `done(result)` on the io_context thread, where
    // `result` is a Result<what work returned, std::string>: the error is the message of an
    // exception `work` threw. Jobs run one at a time, in order. Call on the io_context thread.
    template <class Work, class Done>
    void run(Work work, Done done) {
        auto stopped = stopped_;
        enqueue([this, stopped, guard = guard_, work = std::move(work),
                 done = std::move(done)]() mutable {
            auto result = run_catching(work);
            boost::asio::post(loop_, [stopped, guard, done = std::move(done),
                                      result = std::move(result)]() mutable {
                if (*stopped) return;
                guard.run("an API reply from the worker", [&] { done(std::move(result)); });
            });
        });
    }

    // Where an exception thrown by a `done` goes (on the io_context thread).
    void set_guard(CallbackGuard guard) { guard_ = std::move(guard); }
    // No job starts any more and no `done` runs after this (the daemon is shutting down).
    // Call on the io_context thread.
    void stop();
    // Jobs queued or running (for tests).
    std::size_t backlog() const;

  private:
    void enqueue(std::function<void()> job);
    void thread_main();

    boost::asio::io_context& loop_;
    CallbackGuard guard_;
    // Read and written on the io_context thread only (done handlers check it there).
    std::shared_ptr<bool> stopped_ = std::make_shared<bool>(false);
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    std::size_t running_ = 0;
    bool quit_ = false;
    std::thread thread_;
};

// Runs `work` on `worker` (or here and now when it is null), then `done` with its
// Result<…, std::string> on the io_context thread.
template <class Work, class Done>
void run_off_loop(OffLoopWorker* worker, Work work, Done done) {
    if (worker != nullptr) return worker->run(std::move(work), std::move(done));
    done(run_catching(work));
}

}  // namespace treadmill::api
