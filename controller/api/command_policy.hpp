// Which commands one listener accepts. The local control socket accepts every command; the
// remote socket (api.remote_socket, for bridges such as treadmill-mqtt) only those that watch
// the treadmill or take motion away, so "never start the belt remotely" is the daemon's rule,
// not a bridge's. A refused command is answered `refused` with the reason.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "controller/api/protocol.hpp"

namespace treadmill::api {

class CommandPolicy {
  public:
    // `listener` names the socket in refusals ("the remote socket").
    CommandPolicy(std::string listener, std::set<std::string> allowed,
                  std::map<std::string, std::string> reasons = {});

    // nullopt: `cmd` may run here; else the `refused` error that says why not.
    std::optional<ApiError> check(const std::string& cmd) const;
    bool allows(const std::string& cmd) const { return allowed_.count(cmd) > 0; }

  private:
    std::string listener_;
    std::set<std::string> allowed_;
    std::map<std::string, std::string> reasons_;  // per refused command; else a general reason
};

// The remote socket's rules: status, watch, programs, show, metrics, session, stop, pause, and
// speed and incline only with `allow_adjust` (api.remote_adjust).
CommandPolicy remote_command_policy(bool allow_adjust);

}  // namespace treadmill::api
