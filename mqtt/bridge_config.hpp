// The bridge's configuration: a YAML file (--config) with the flags --broker, --prefix and
// --socket on top. Every error is a message naming the file or flag.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace treadmill::mqtt {

struct BridgeConfig {
    std::string broker_host = "localhost";
    int broker_port = 1883;
    std::string name;    // the device's name (default: the host name)
    std::string prefix;  // default: treadmill/<name>
    std::string client_id;
    std::string username;
    std::string password;       // from `password`, or the first line of `password_file`
    std::string password_file;  // read once at start (a credential systemd hands over)
    std::string tls_ca_file;    // TLS on when set
    std::string tls_cert_file;  // optional client certificate (with tls_key_file)
    std::string tls_key_file;
    std::string socket = "/run/treadmilld/remote.sock";
    bool allow_adjust = false;
    int keepalive_s = 30;
    int metrics_interval_s = 60;  // P/metrics every so often (and on each connect)
};

struct CommandLine {
    BridgeConfig config;
    bool help = false;
    bool version = false;
    std::vector<std::string> warnings;  // for the log: the bridge runs, but should not be so
};

// Parses argv (without argv[0]) and the file named by --config; `hostname` names the default.
Result<CommandLine, std::string> parse_command_line(const std::vector<std::string>& args,
                                                    const std::string& hostname);
// The text of --help.
std::string usage_text();

// "HOST:PORT" or "HOST" (port 1883); "[v6]:PORT" for IPv6 literals.
Result<Done, std::string> parse_broker(const std::string& text, BridgeConfig& config);
// Applies the YAML text of a config file (keys: broker, name, prefix, socket, username,
// password or password_file, tls {ca_file, cert_file, key_file}, allow_adjust, keepalive_s,
// metrics_interval_s); unknown keys are errors. password_file is read by parse_command_line.
Result<Done, std::string> apply_config_text(const std::string& text, const std::string& origin,
                                            BridgeConfig& config);

}  // namespace treadmill::mqtt
