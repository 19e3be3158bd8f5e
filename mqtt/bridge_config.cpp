#include "mqtt/bridge_config.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "mqtt/topics.hpp"

namespace treadmill::mqtt {

namespace {

using Error = Unexpected<std::string>;

Result<std::string, std::string> read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Error{"cannot read the configuration file " + path};
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > 64 * 1024) return Error{path + ": larger than 64 KiB"};
    return text.str();
}

// The password in `path`: its first line, without the line end.
Result<std::string, std::string> read_password_file(const std::string& path) {
    constexpr std::size_t kMaxPassword = 65535;  // MQTT's limit for a binary field
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{"password_file: cannot read " + path + ": " + std::strerror(errno)};
    std::string text(kMaxPassword + 2, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    std::string line = text.substr(0, text.find('\n'));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
        return Error{"password_file: " + path + " is empty (the password is its first line)"};
    }
    if (line.size() > kMaxPassword) {
        return Error{"password_file: " + path + ": longer than 65535 bytes"};
    }
    return line;
}

Result<Done, std::string> apply_key(const std::string& key, const YAML::Node& value,
                                    BridgeConfig& config) {
    if (key == "tls") {
        if (!value.IsMap()) return Error{"tls: expected a map {ca_file: PATH, ...}"};
        for (const auto& entry : value) {
            const auto name = entry.first.as<std::string>();
            std::string* target = name == "ca_file"     ? &config.tls_ca_file
                                  : name == "cert_file" ? &config.tls_cert_file
                                  : name == "key_file"  ? &config.tls_key_file
                                                        : nullptr;
            if (!target) {
                return Error{"tls: unknown key '" + name + "' (ca_file, cert_file, key_file)"};
            }
            if (!entry.second.IsScalar() || entry.second.as<std::string>().empty()) {
                return Error{"tls: " + name + ": expected a path"};
            }
            *target = entry.second.as<std::string>();
        }
        if (config.tls_ca_file.empty()) return Error{"tls: ca_file is required"};
        if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
            return Error{"tls: cert_file and key_file go together (a client certificate)"};
        }
        return Done{};
    }
    if (!value.IsScalar()) return Error{key + ": expected a single value"};
    if (key == "broker") return parse_broker(value.as<std::string>(), config);
    if (key == "allow_adjust") {
        config.allow_adjust = value.as<bool>();
    } else if (key == "keepalive_s") {
        config.keepalive_s = value.as<int>();
        if (config.keepalive_s < 5 || config.keepalive_s > 3600) {
            return Error{"keepalive_s: between 5 and 3600"};
        }
    } else if (key == "metrics_interval_s") {
        config.metrics_interval_s = value.as<int>();
        if (config.metrics_interval_s < 1 || config.metrics_interval_s > 86400) {
            return Error{"metrics_interval_s: between 1 and 86400"};
        }
    } else if (key == "name") {
        config.name = value.as<std::string>();
    } else if (key == "prefix") {
        config.prefix = value.as<std::string>();
    } else if (key == "socket") {
        config.socket = value.as<std::string>();
    } else if (key == "username") {
        config.username = value.as<std::string>();
    } else if (key == "password") {
        config.password = value.as<std::string>();
    } else if (key == "password_file") {
        config.password_file = value.as<std::string>();
        if (config.password_file.empty()) return Error{"password_file: expected a path"};
    } else if (key == "client_id") {
        config.client_id = value.as<std::string>();
    } else {
        return Error{"unknown key '" + key + "'"};
    }
    return Done{};
}

// Fills what the flags and the file left open, and checks the whole.
Result<Done, std::string> finish(BridgeConfig& config, const std::string& hostname) {
    if (config.name.empty()) config.name = hostname;
    if (config.prefix.empty()) config.prefix = default_prefix(config.name);
    if (const auto error = prefix_error(config.prefix)) return Error{*error};
    if (config.client_id.empty()) config.client_id = client_id_for(config.prefix);
    if (config.socket.empty()) return Error{"--socket: empty path"};
    if (!config.password_file.empty()) {
        if (!config.password.empty()) return Error{"password and password_file: give one of them"};
        const auto password = read_password_file(config.password_file);
        if (!password) return Error{password.error()};
        config.password = *password;
    }
    if (!config.password.empty() && config.username.empty()) {
        return Error{"a password needs a username (the broker's user for this bridge)"};
    }
    return Done{};
}

}  // namespace

Result<Done, std::string> parse_broker(const std::string& text, BridgeConfig& config) {
    std::string host = text;
    std::string port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos) return Error{"broker '" + text + "': missing ']'"};
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') return Error{"broker '" + text + "': expected ':PORT'"};
            port = text.substr(close + 2);
        }
    } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (host.empty()) return Error{"broker '" + text + "': no host"};
    config.broker_host = host;
    if (port.empty()) return Done{};
    int value = 0;
    for (char c : port) {
        if (c < '0' || c > '9' || value > 65535) return Error{"broker '" + text + "': bad port"};
        value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) return Error{"broker '" + text + "': bad port"};
    config.broker_port = value;
    return Done{};
}

Result<Done, std::string> apply_config_text(const std::string& text, const std::string& origin,
                                            BridgeConfig& config) {
    try {
        const YAML::Node root = YAML::Load(text);
        if (root.IsNull()) return Done{};
        if (!root.IsMap()) return Error{origin + ": expected a map of settings"};
        std::vector<std::string> seen;
        for (const auto& entry : root) {
            const auto key = entry.first.as<std::string>();
            for (const auto& s : seen) {
                if (s == key) return Error{origin + ": duplicate key '" + key + "'"};
            }
            seen.push_back(key);
            const auto applied = apply_key(key, entry.second, config);
            if (!applied) return Error{origin + ": " + applied.error()};
        }
    } catch (const YAML::Exception& e) {
        return Error{origin + ": " + e.what()};
    }
    return Done{};
}

Result<CommandLine, std::string> parse_command_line(const std::vector<std::string>& args,
                                                    const std::string& hostname) {
    CommandLine cl;
    std::optional<std::string> config_file, broker, prefix, socket;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            cl.help = true;
            return cl;
        }
        if (a == "--version") {
            cl.version = true;
            return cl;
        }
        std::optional<std::string>* target = a == "--config"   ? &config_file
                                             : a == "--broker" ? &broker
                                             : a == "--prefix" ? &prefix
                                             : a == "--socket" ? &socket
                                                               : nullptr;
        if (!target) return Error{"unknown option '" + a + "' (see --help)"};
        if (i + 1 >= args.size()) return Error{a + " needs a value"};
        *target = args[++i];
    }
    if (config_file) {
        const auto text = read_text(*config_file);
        if (!text) return Error{text.error()};
        const auto applied = apply_config_text(*text, *config_file, cl.config);
        if (!applied) return Error{applied.error()};
    }
    if (broker) {
        const auto parsed = parse_broker(*broker, cl.config);
        if (!parsed) return Error{"--broker: " + parsed.error()};
    }
    if (prefix) cl.config.prefix = *prefix;
    if (socket) cl.config.socket = *socket;
    const auto finished = finish(cl.config, hostname);
    if (!finished) return Error{finished.error()};
    struct stat st {};
    if (!cl.config.password_file.empty() && ::stat(cl.config.password_file.c_str(), &st) == 0 &&
        (st.st_mode & S_IROTH) != 0) {
        cl.warnings.push_back("password_file " + cl.config.password_file +
                              " is readable by every user (chmod o-r, or a systemd credential)");
    }
    return cl;
}

std::string usage_text() {
    return "usage: treadmill-mqtt [--config FILE] [--broker HOST:PORT] [--prefix P] "
           "[--socket PATH]\n"
           "\n"
           "Bridges treadmilld's control API to an MQTT broker (state, telemetry, events,\n"
           "Home Assistant discovery; stop and pause commands).\n"
           "\n"
           "options:\n"
           "  --config FILE       YAML configuration (broker, name, prefix, socket, username,\n"
           "                      password or password_file, tls, allow_adjust, keepalive_s,\n"
           "                      metrics_interval_s)\n"
           "  --broker HOST:PORT  the MQTT broker (default localhost:1883)\n"
           "  --prefix P          topic prefix (default treadmill/<host name>)\n"
           "  --socket PATH       treadmilld's control socket (default "
           "/run/treadmilld/remote.sock)\n"
           "  --version           print the version and exit\n"
           "  -h, --help          this text\n";
}

}  // namespace treadmill::mqtt
