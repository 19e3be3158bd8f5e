// ReopenPolicy: a fixed interval between attempts, starting at the loss.
#include "protocols/reopen_policy.hpp"

namespace treadmill {

void ReopenPolicy::lost(TimePoint now) {
    next_attempt_ = now + interval_;
}

void ReopenPolicy::attempted(TimePoint now, bool opened) {
    if (opened) {
        next_attempt_.reset();
        failed_attempts_ = 0;
        return;
    }
    next_attempt_ = now + interval_;
    ++failed_attempts_;
}

}  // namespace treadmill
