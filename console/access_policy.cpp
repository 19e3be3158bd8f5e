#include "console/access_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace treadmill::console {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

std::vector<std::string> allowed_host_names(const std::vector<std::string>& extra,
                                            const std::string& listen_host,
                                            const std::string& host_name) {
    std::vector<std::string> out;
    for (const auto& h : extra) out.push_back(lower(h));
    for (const auto& h : {std::string("localhost"), std::string("127.0.0.1"), std::string("::1"),
                          listen_host, host_name})
        if (!h.empty() && h != "0.0.0.0" && h != "::") out.push_back(lower(h));
    if (!host_name.empty()) out.push_back(lower(host_name) + ".local");
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string host_name_of(std::string_view host_header) {
    if (!host_header.empty() && host_header.front() == '[') {
        const auto close = host_header.find(']');
        if (close == std::string_view::npos) return {};
        return lower(host_header.substr(1, close - 1));
    }
    return lower(host_header.substr(0, host_header.find(':')));
}

bool host_allowed(std::string_view host_header, const std::vector<std::string>& allowed) {
    const std::string name = host_name_of(host_header);
    return !name.empty() && std::find(allowed.begin(), allowed.end(), name) != allowed.end();
}

bool origin_matches(std::string_view origin, std::string_view host_header, bool tls) {
    const std::string expected = std::string(tls ? "https://" : "http://") + lower(host_header);
    return !host_header.empty() && lower(origin) == expected;
}

std::string cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name)
            return std::string(pair.substr(eq + 1));
    }
    return {};
}

bool bearer_token_matches(std::string_view header, std::string_view expected) {
    constexpr std::string_view scheme = "bearer ";
    if (expected.empty() || header.size() < scheme.size() ||
        lower(header.substr(0, scheme.size())) != scheme)
        return false;
    std::string_view given = header.substr(scheme.size());
    while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
    while (!given.empty() && given.back() == ' ') given.remove_suffix(1);
    // Every byte of `expected` is looked at, whatever `given` holds.
    unsigned diff = given.size() == expected.size() ? 0U : 1U;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0U;
        diff |= static_cast<unsigned>(g ^ static_cast<unsigned char>(expected[i]));
    }
    return diff == 0;
}

std::optional<Role> parse_role(std::string_view text) {
    if (text == "runner") return Role::runner;
    if (text == "viewer") return Role::viewer;
    return std::nullopt;
}

bool command_allowed(Role role, std::string_view cmd) {
    static constexpr std::array<std::string_view, 4> kViewer = {"stop", "pause", "status",
                                                                "session"};
    // The history is the runner's own (dates, times, exports): not for a viewer's screen.
    static constexpr std::array<std::string_view, 23> kRunner = {
        "stop",     "pause",        "status", "session",    "resume",    "start",
        "skip",     "reset",        "speed",  "incline",    "programs",  "show",
        "validate", "save_program", "estop",  "pair_issue", "pair_list", "pair_revoke",
        "history",  "history_show", "bests",  "progress",   "export"};
    const auto in = [&](const auto& list) {
        return std::find(list.begin(), list.end(), cmd) != list.end();
    };
    return role == Role::viewer ? in(kViewer) : in(kRunner);
}

bool is_urgent(std::string_view cmd) {
    return cmd == "stop" || cmd == "pause" || cmd == "estop";
}

bool is_history(std::string_view cmd) {
    return cmd == "history" || cmd == "history_show" || cmd == "bests" || cmd == "progress" ||
           cmd == "export";
}

bool RateLimiter::allow(const std::string& device_id, std::string_view cmd, Clock::time_point now) {
    if (is_urgent(cmd)) return true;
    auto& times = recent_[device_id];
    std::erase_if(times, [&](Clock::time_point t) { return now - t >= std::chrono::seconds(1); });
    if (static_cast<int>(times.size()) >= per_second_) return false;
    times.push_back(now);
    return true;
}

}  // namespace treadmill::console
