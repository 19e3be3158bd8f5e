// The `status` object as of the last completed control cycle, published by the loop thread and
// read by the API thread (which answers `status` and streams `watch` from it, so neither waits
// for a long cycle). A copy of the pointer is taken under a mutex; the object is never changed.
// The mutex is held only for a pointer's copy or swap, by the loop and the API thread (one
// priority below it), so it cannot keep the loop waiting.
#pragma once

#include <memory>
#include <mutex>
#include <utility>

#include <nlohmann/json.hpp>

namespace treadmill::api {

class StatusSnapshot {
  public:
    // Replaces the snapshot (any thread; the loop's, after each cycle).
    void publish(nlohmann::json status) {
        auto next = std::make_shared<const nlohmann::json>(std::move(status));
        std::lock_guard lock(mutex_);
        status_.swap(next);  // the old one is freed outside the lock, by `next`
    }
    // The last one published ({} before the first).
    std::shared_ptr<const nlohmann::json> get() const {
        std::lock_guard lock(mutex_);
        return status_;
    }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const nlohmann::json> status_ =
        std::make_shared<const nlohmann::json>(nlohmann::json::object());
};

}  // namespace treadmill::api
