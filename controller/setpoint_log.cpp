#include "controller/setpoint_log.hpp"

namespace treadmill::controller {

void SetpointLog::record(SetpointChange change) {
    if (sink_) sink_(change);
    if (capacity_ == 0) return;
    if (entries_.size() >= capacity_) entries_.pop_front();
    entries_.push_back(std::move(change));
}

}  // namespace treadmill::controller
