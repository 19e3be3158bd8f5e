// Sends one shaped reply on an Asio stream: wait until `when`, write the frame (with a pause in
// the middle when asked), then trailing garbage; calls `done` after, whatever happened.
#pragma once

#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <random>

#include "sim/fault_injector.hpp"
#include "sim/framing.hpp"

namespace treadmill::sim {

// The bytes of a reply after truncation and garbage, split at the gap (second part may be empty).
struct ShapedReply {
    Bytes first;
    Bytes second;
    Duration gap{};
};

// Applies truncate/gap/garbage of `plan` to an encoded `frame`.
inline ShapedReply shape_reply(Bytes frame, const ReplyPlan& plan, std::mt19937_64& rng) {
    const std::size_t cut = std::min(plan.truncate_bytes, frame.size() - 1);
    frame.resize(frame.size() - cut);
    std::uniform_int_distribution<int> byte(0, 255);
    for (std::size_t i = 0; i < plan.garbage_bytes; ++i) {
        frame.push_back(static_cast<std::uint8_t>(byte(rng)));
    }
    ShapedReply out;
    if (plan.gap.count() > 0 && frame.size() > 1) {
        const auto half = static_cast<long>(frame.size() / 2);
        out.first.assign(frame.begin(), frame.begin() + half);
        out.second.assign(frame.begin() + half, frame.end());
        out.gap = plan.gap;
    } else {
        out.first = std::move(frame);
    }
    return out;
}

// Waits for `when`, writes `reply` (pausing at the gap), then calls `done(ok)`.
template <class Stream>
void send_shaped(Stream& stream, boost::asio::steady_timer& timer, TimePoint when,
                 std::shared_ptr<ShapedReply> reply, std::function<void(bool)> done) {
    namespace asio = boost::asio;
    timer.expires_at(when);
    timer.async_wait([&stream, &timer, reply, done](const boost::system::error_code& ec) {
        if (ec) return done(false);
        asio::async_write(
            stream, asio::buffer(reply->first),
            [&stream, &timer, reply, done](const boost::system::error_code& ec2, std::size_t) {
                if (ec2) return done(false);
                if (reply->second.empty()) return done(true);
                auto rest = std::make_shared<ShapedReply>();
                rest->first = std::move(reply->second);
                send_shaped(stream, timer, SteadyClock::now() + reply->gap, rest, done);
            });
    });
}

}  // namespace treadmill::sim
