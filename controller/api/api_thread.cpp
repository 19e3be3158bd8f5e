#include "controller/api/api_thread.hpp"

#include <boost/asio/post.hpp>

namespace treadmill::api {

ApiThread::~ApiThread() {
    stop();
}

void ApiThread::start(std::function<void()> on_start) {
    if (thread_.joinable() || stopped_) return;
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this, on_start = std::move(on_start)] {
        if (on_start) on_start();
        io_.run();
    });
}

void ApiThread::stop(const std::function<void()>& last) {
    if (stopped_) return;
    stopped_ = true;
    if (!thread_.joinable()) {
        if (last) last();
        return;
    }
    boost::asio::post(io_, [this, last] {
        if (last) last();
        io_.stop();
    });
    thread_.join();
    work_.reset();
}

}  // namespace treadmill::api
