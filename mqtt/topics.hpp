// The bridge's MQTT topic names, all derived from one prefix, and the names derived from it
// (client id, Home Assistant object id), so many bridges share one broker without clashing.
#pragma once

#include <optional>
#include <string>

namespace treadmill::mqtt {

class Topics {
  public:
    explicit Topics(std::string prefix) : prefix_(std::move(prefix)) {}

    const std::string& prefix() const { return prefix_; }
    std::string availability() const { return prefix_ + "/availability"; }
    std::string state() const { return prefix_ + "/state"; }
    std::string telemetry() const { return prefix_ + "/telemetry"; }
    std::string event() const { return prefix_ + "/event"; }
    std::string metrics() const { return prefix_ + "/metrics"; }
    std::string result() const { return prefix_ + "/result"; }
    std::string command(const std::string& name) const { return prefix_ + "/cmd/" + name; }
    // The subscription that receives every command.
    std::string command_filter() const { return prefix_ + "/cmd/+"; }
    // The command's name when `topic` is one of this bridge's command topics.
    std::optional<std::string> command_name(const std::string& topic) const;

  private:
    std::string prefix_;
};

// "treadmill/" + the host name (the default prefix).
std::string default_prefix(const std::string& name);
// The MQTT client id: "treadmill-mqtt-" + the prefix, '/' and anything unusual as '-'.
std::string client_id_for(const std::string& prefix);
// The Home Assistant object id (unique ids and discovery topics): the prefix with every
// character outside [A-Za-z0-9_-] as '_'.
std::string object_id_for(const std::string& prefix);
// An MQTT topic prefix is usable: not empty, no wildcard, no NUL, no leading/trailing '/'.
std::optional<std::string> prefix_error(const std::string& prefix);

}  // namespace treadmill::mqtt
