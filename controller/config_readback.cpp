// Rule S4's read-back, round-robin over both boards.
#include "controller/config_readback.hpp"

#include <algorithm>
#include <cmath>

namespace treadmill::controller {

void ConfigReadback::restart() {
    board_ = Board::motor;
    part_ = 0;
    mismatch_ = false;
    clean_parts_ = 0;
    last_rewrite_.reset();
}

std::size_t ConfigReadback::total_parts() const {
    return std::max<std::size_t>(1, hw_.readback_parts(Board::motor)) +
           std::max<std::size_t>(1, hw_.readback_parts(Board::incline));
}

std::size_t ConfigReadback::per_cycle(Duration period) const {
    const double period_s = std::chrono::duration<double>(period).count();
    const double round_s = std::chrono::duration<double>(kRound).count();
    const double parts = static_cast<double>(total_parts()) * period_s / round_s;
    return std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(parts - 1e-9)));
}

Result<ConfigCheck, LinkError> ConfigReadback::read_next(TimePoint now) {
    auto r = hw_.verify_part(now, board_, part_);
    if (!r) return r;
    if (r->ok()) {
        if (mismatch_ && ++clean_parts_ >= total_parts()) mismatch_ = false;
    } else {
        note_mismatch();
    }
    advance();
    return r;
}

// Drive parts first, then the incline board's, then the drive's again.
void ConfigReadback::advance() {
    if (++part_ < std::max<std::size_t>(1, hw_.readback_parts(board_))) return;
    part_ = 0;
    board_ = board_ == Board::motor ? Board::incline : Board::motor;
}

void ConfigReadback::note_mismatch() {
    mismatch_ = true;
    clean_parts_ = 0;
}

bool ConfigReadback::rewrite_due(TimePoint now) const {
    return mismatch_ && (!last_rewrite_ || now - *last_rewrite_ >= kRewriteInterval);
}

void ConfigReadback::rewritten(TimePoint now) {
    last_rewrite_ = now;
    clean_parts_ = 0;
}

}  // namespace treadmill::controller
