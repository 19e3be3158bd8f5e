// How long the API server took to answer, per command: from the read on the API thread that
// completed a request's line to its reply queued for the socket. `status` is answered there from
// the last cycle's snapshot; any other command's time includes its wait for the control loop (a
// long cycle shows here) and, for those that work off the loop, the worker's job. Time a request
// spent in the socket before the API thread read it is not in it. Recorded on the API thread,
// read on the loop's (status.api): the counts are behind a mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
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
    mutable std::mutex mutex_;
    std::uint64_t requests_ = 0;
    Duration max_{};
    LatencyHistogram hist_{};
    std::map<std::string, Command, std::less<>> commands_;
};

}  // namespace treadmill::api
