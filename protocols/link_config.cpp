// Parsing and describing link configurations.
#include "protocols/link_config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace treadmill {

std::optional<Parity> parse_parity(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (lower == "none" || lower == "n") return Parity::none;
    if (lower == "even" || lower == "e") return Parity::even;
    if (lower == "odd" || lower == "o") return Parity::odd;
    return std::nullopt;
}

bool is_numeric_host(const std::string& host) {
    unsigned char address[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), address) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), address) == 1;
}

std::string describe(const LinkConfig& c) {
    if (c.transport == Transport::tcp) return "tcp:" + c.host + ":" + std::to_string(c.port);
    return "rtu:" + c.device + "@" + std::to_string(c.baud) + "," + std::to_string(c.data_bits) +
           parity_letter(c.parity) + std::to_string(c.stop_bits);
}

}  // namespace treadmill
