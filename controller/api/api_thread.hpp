// The thread of the API servers' socket I/O: its own io_context, run until stop(). The control
// loop's io_context is another; the two talk only by posting to each other.
#pragma once

#include <functional>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace treadmill::api {

class ApiThread {
  public:
    ApiThread() = default;
    // stop() when still running.
    ~ApiThread();
    ApiThread(const ApiThread&) = delete;
    ApiThread& operator=(const ApiThread&) = delete;

    // Where the API's sockets, timers and handlers live.
    boost::asio::io_context& io() { return io_; }
    // Starts the thread; `on_start` runs first on it (e.g. leaving a real-time policy).
    void start(std::function<void()> on_start = {});
    // Runs `last` on the API thread (here when it never started), then ends the thread and
    // joins it: no handler of io() runs after this returns. Idempotent.
    void stop(const std::function<void()>& last = {});
    bool running() const { return thread_.joinable(); }

  private:
    boost::asio::io_context io_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::thread thread_;
    bool stopped_ = false;
};

}  // namespace treadmill::api
