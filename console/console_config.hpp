// treadmill-console's settings: console.yaml (--config) overridden by --listen and --socket.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace treadmill::console {

struct ListenAddress {
    std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal (no brackets)
    std::uint16_t port = 8080;
};

// The console's own certificate chain and private key (PEM files), read once at start.
struct TlsFiles {
    std::string certificate;
    std::string key;
};

struct ConsoleConfig {
    ListenAddress listen;
    std::string socket = "/run/treadmilld/control.sock";
    // Extra names the page may be reached by; the listen address, localhost and the host name
    // are always allowed.
    std::vector<std::string> allowed_hosts;
    std::size_t max_clients = 32;
    std::optional<TlsFiles> tls;  // none: plain HTTP
    // GET /metrics needs `Authorization: Bearer <metrics_token>` when set (metrics: {token} or
    // metrics: {token_file}); empty: /metrics is open to anyone who may reach the console.
    std::string metrics_token;
    // A command connection to the daemon sends `status` after this long without a request, to
    // stay inside the API's idle time-out (api.idle_timeout, 60 s by default).
    std::chrono::milliseconds keepalive{20'000};
};

// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:0"; nullopt when it does not parse.
std::optional<ListenAddress> parse_listen(std::string_view text);

// "20 s", "500 ms": a positive duration in seconds or milliseconds; nullopt otherwise.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// Reads console.yaml; unknown keys and bad values are errors naming the key. Relative TLS file
// names are taken from the file's own directory.
Result<ConsoleConfig, std::string> load_console_config(const std::string& path);

// The error with a metrics token, nullopt when it is usable (16 to 256 visible ASCII
// characters, no spaces).
std::optional<std::string> metrics_token_error(std::string_view token);

// Parses console.yaml's text (for tests and load_console_config).
Result<ConsoleConfig, std::string> parse_console_config(const std::string& yaml_text);

}  // namespace treadmill::console
