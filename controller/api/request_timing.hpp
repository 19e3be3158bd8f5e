// How long the API server took to answer, per command: from the read that completed a
// request's line to its reply queued for the socket (a reply that comes later, from the worker,
// counts until it came). Time a request spent in the socket before the daemon read it (the
// io_context busy with a control cycle) is not in it: status.loop.cycle_hist shows that.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/latency_histogram.hpp"

namespace treadmill::api {

class RequestTiming {
  public:
    // At most this many command names are told apart; requests for others count as "other".
    static constexpr std::size_t kMaxCommands = 48;

    void record(const std::string& cmd, Duration took);
    // {"requests","max_ms","hist","commands":{name:{"count","max_ms"}}}; hist by
    // kLatencyBoundsMs, over every command.
    nlohmann::json to_json() const;

  private:
    struct Command {
        std::uint64_t count = 0;
        Duration max{};
    };
    std::uint64_t requests_ = 0;
    Duration max_{};
    LatencyHistogram hist_{};
    std::map<std::string, Command, std::less<>> commands_;
};

}  // namespace treadmill::api
