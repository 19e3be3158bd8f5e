// Who may talk to the console, and what: Host/Origin checks against DNS rebinding and
// cross-site pages, the token cookie, each role's commands, and the per-device rate limit.
// Pure functions and small classes; time is passed in.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treadmill::console {

// The host names a request may carry in Host/Origin: `extra` plus the listen address,
// localhost, 127.0.0.1, ::1 and `host_name`; all lower case.
std::vector<std::string> allowed_host_names(const std::vector<std::string>& extra,
                                            const std::string& listen_host,
                                            const std::string& host_name);

// The host name part of a Host header value ("Example:8080" → "example", "[::1]:80" → "::1").
std::string host_name_of(std::string_view host_header);

// True when `host_header` names an allowed host.
bool host_allowed(std::string_view host_header, const std::vector<std::string>& allowed);

// True when `origin` is exactly the page's own origin: http(s)://<host_header>.
bool origin_matches(std::string_view origin, std::string_view host_header, bool tls);

// The value of cookie `name` in a Cookie header, or "".
std::string cookie_value(std::string_view cookie_header, std::string_view name);

inline constexpr std::string_view kTokenCookie = "treadmill_token";

// True when an Authorization header is `Bearer <expected>` (the scheme in any case). The
// token is compared in time that depends only on `expected`'s length, never on where the two
// first differ.
bool bearer_token_matches(std::string_view authorization_header, std::string_view expected);

enum class Role { runner, viewer };
std::optional<Role> parse_role(std::string_view text);

// True when `role` may send API command `cmd` through the console.
bool command_allowed(Role role, std::string_view cmd);

// Commands that go on the console's urgent connection (never behind a slow request).
bool is_urgent(std::string_view cmd);

// The history's commands (history, history_show, bests, progress, export): they go on a
// connection of their own, whose replies may be large (an export is a whole file in base64),
// so that the other commands never wait behind one.
bool is_history(std::string_view cmd);

// At most `per_second` commands a second per device (a sliding one-second window); stop,
// pause and estop are never limited.
class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;
    explicit RateLimiter(int per_second = 5) : per_second_(per_second) {}
    // True (and counted) when the device may send another command at `now`.
    bool allow(const std::string& device_id, std::string_view cmd, Clock::time_point now);

  private:
    int per_second_;
    std::map<std::string, std::vector<Clock::time_point>> recent_;
};

}  // namespace treadmill::console
