// treadmill-console's pure parts: config, listen addresses, Host/Origin checks, cookies,
// roles, the rate limit, the embedded assets and the reconnect back-off.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "console/access_policy.hpp"
#include "console/assets.hpp"
#include "console/console_config.hpp"
#include "console/daemon_link.hpp"

using namespace treadmill::console;
using namespace std::chrono_literals;

TEST_CASE("listen addresses parse, bad ones are refused") {
    auto a = parse_listen("127.0.0.1:8080");
    REQUIRE(a);
    CHECK(a->host == "127.0.0.1");
    CHECK(a->port == 8080);
    auto b = parse_listen("[::1]:0");
    REQUIRE(b);
    CHECK(b->host == "::1");
    CHECK(b->port == 0);
    CHECK_FALSE(parse_listen("127.0.0.1"));
    CHECK_FALSE(parse_listen("127.0.0.1:65536"));
    CHECK_FALSE(parse_listen("127.0.0.1:80x"));
    CHECK_FALSE(parse_listen("::1:80"));
    CHECK_FALSE(parse_listen("localhost:80"));  // a literal, never a name to resolve
    CHECK_FALSE(parse_listen(":80"));
}

TEST_CASE("console.yaml: every key, and errors that name the key and line") {
    auto c = parse_console_config(
        "listen: 0.0.0.0:9000\nallowed_hosts: [treadmill.lan]\nmax_clients: 4\n"
        "socket: /tmp/x.sock\nkeepalive: 500 ms\n");
    REQUIRE(c);
    CHECK(c->keepalive == std::chrono::milliseconds(500));
    CHECK(c->listen.host == "0.0.0.0");
    CHECK(c->listen.port == 9000);
    CHECK(c->allowed_hosts == std::vector<std::string>{"treadmill.lan"});
    CHECK(c->max_clients == 4);
    CHECK(c->socket == "/tmp/x.sock");
    auto empty = parse_console_config("");
    REQUIRE(empty);
    CHECK(empty->listen.port == 8080);
    CHECK(empty->max_clients == 32);
    CHECK(empty->keepalive == std::chrono::seconds(20));
    CHECK(parse_console_config("keepalive: 1.5 s\n")->keepalive == std::chrono::milliseconds(1500));
    for (const char* bad_keepalive :
         {"keepalive: 0 s\n", "keepalive: 20\n", "keepalive: -1 s\n", "keepalive: 2 min\n"}) {
        CAPTURE(bad_keepalive);
        auto refused = parse_console_config(bad_keepalive);
        REQUIRE_FALSE(refused);
        CHECK(refused.error() == "line 1: keepalive: expected a duration, e.g. 20 s");
    }

    auto unknown = parse_console_config("listen: 127.0.0.1:1\nlisten_port: 3\n");
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error() == "line 2: unknown key 'listen_port'");
    auto bad = parse_console_config("max_clients: 0\n");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().find("max_clients") != std::string::npos);
    CHECK_FALSE(parse_console_config("listen: [1, 2]\n"));
    CHECK_FALSE(parse_console_config("- a\n"));
}

TEST_CASE("console.yaml tls: certificate and key together, errors that say what is wrong") {
    auto plain = parse_console_config("listen: 0.0.0.0:8443\n");
    REQUIRE(plain);
    CHECK_FALSE(plain->tls);
    auto c = parse_console_config("tls:\n  certificate: /etc/t/console.crt\n  key: /etc/t/k.pem\n");
    REQUIRE(c);
    REQUIRE(c->tls);
    CHECK(c->tls->certificate == "/etc/t/console.crt");
    CHECK(c->tls->key == "/etc/t/k.pem");

    const auto error_of = [](const std::string& yaml) {
        auto r = parse_console_config(yaml);
        return r ? std::string("(accepted)") : r.error();
    };
    CHECK(error_of("tls: {certificate: a.pem}\n") ==
          "line 1: tls: needs both certificate and key (tls: expected {certificate: FILE, key: "
          "FILE})");
    CHECK(error_of("tls: {key: a.pem}\n").find("needs both certificate and key") !=
          std::string::npos);
    CHECK(error_of("tls: {cert: a.pem, key: b.pem}\n") ==
          "line 1: tls: unknown key 'cert' (tls: expected {certificate: FILE, key: FILE})");
    CHECK(error_of("tls: {certificate: '', key: b.pem}\n") ==
          "line 1: tls: certificate: expected a file name");
    CHECK(error_of("tls: {certificate: [a], key: b.pem}\n") ==
          "line 1: tls: certificate: expected a file name");
    CHECK(error_of("tls: {certificate: a, key: b, key: c}\n") == "line 1: tls: key given twice");
    CHECK(error_of("tls: on\n") == "line 1: tls: expected {certificate: FILE, key: FILE}");
    CHECK(error_of("max_clients: 2\ntls: {}\n").find("line 2: tls: needs both") == 0);
}

TEST_CASE("console.yaml: relative TLS file names are taken from the file's own directory") {
    const auto dir =
        std::filesystem::temp_directory_path() / ("console-unit-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "etc");
    std::ofstream(dir / "etc/console.yaml")
        << "tls: {certificate: tls/console.crt, key: /abs/console.key}\n";
    auto c = load_console_config((dir / "etc/console.yaml").string());
    std::filesystem::remove_all(dir);
    REQUIRE(c);
    REQUIRE(c->tls);
    CHECK(c->tls->certificate == (dir / "etc/tls/console.crt").string());
    CHECK(c->tls->key == "/abs/console.key");
}

TEST_CASE("Host: the listen address, localhost, the host name and configured names only") {
    const auto allowed = allowed_host_names({"Treadmill.LAN"}, "0.0.0.0", "gym-box");
    CHECK(host_allowed("localhost:8080", allowed));
    CHECK(host_allowed("127.0.0.1:8080", allowed));
    CHECK(host_allowed("[::1]:8080", allowed));
    CHECK(host_allowed("treadmill.lan", allowed));
    CHECK(host_allowed("GYM-BOX:8080", allowed));
    CHECK(host_allowed("gym-box.local:8080", allowed));
    CHECK_FALSE(host_allowed("0.0.0.0:8080", allowed));       // a wildcard is not a name
    CHECK_FALSE(host_allowed("evil.example:8080", allowed));  // DNS rebinding
    CHECK_FALSE(host_allowed("localhost.evil.example", allowed));
    CHECK_FALSE(host_allowed("", allowed));
    CHECK(host_name_of("[::1]:80") == "::1");
    CHECK(host_name_of("Example.com:80") == "example.com");
}

TEST_CASE("Origin must be the page's own origin") {
    CHECK(origin_matches("http://127.0.0.1:8080", "127.0.0.1:8080", false));
    CHECK(origin_matches("HTTP://LOCALHOST:8080", "localhost:8080", false));
    CHECK_FALSE(origin_matches("http://evil.example", "127.0.0.1:8080", false));
    CHECK_FALSE(origin_matches("http://127.0.0.1:8081", "127.0.0.1:8080", false));
    CHECK_FALSE(origin_matches("https://127.0.0.1:8080", "127.0.0.1:8080", false));
    CHECK(origin_matches("https://127.0.0.1:8080", "127.0.0.1:8080", true));
    CHECK_FALSE(origin_matches("", "127.0.0.1:8080", false));
    CHECK_FALSE(origin_matches("null", "127.0.0.1:8080", false));
    CHECK_FALSE(origin_matches("http://", "", false));
}

TEST_CASE("console.yaml metrics: a token inline or from a file; bad ones named") {
    auto inline_token = parse_console_config("metrics: {token: 0123456789abcdef}\n");
    REQUIRE(inline_token);
    CHECK(inline_token->metrics_token == "0123456789abcdef");
    auto none = parse_console_config("listen: 127.0.0.1:1\n");
    REQUIRE(none);
    CHECK(none->metrics_token.empty());

    const std::string dir =
        std::filesystem::temp_directory_path() / ("console-token-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/token") << "  tok-0123456789abcdef-xyz \n# ignored\n";
    auto from_file = parse_console_config("metrics: {token_file: " + dir + "/token}\n");
    REQUIRE(from_file);
    CHECK(from_file->metrics_token == "tok-0123456789abcdef-xyz");
    auto missing = parse_console_config("metrics: {token_file: " + dir + "/nope}\n");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().find("cannot read token_file") != std::string::npos);
    std::ofstream(dir + "/short") << "abc\n";
    auto short_file = parse_console_config("metrics: {token_file: " + dir + "/short}\n");
    REQUIRE_FALSE(short_file);
    CHECK(short_file.error().find("16 to 256") != std::string::npos);
    std::filesystem::remove_all(dir);

    auto short_token = parse_console_config("metrics: {token: abc}\n");
    REQUIRE_FALSE(short_token);
    CHECK(short_token.error() ==
          "line 1: metrics: the token needs 16 to 256 characters (e.g. "
          "openssl rand -hex 24)");
    CHECK_FALSE(parse_console_config("metrics: {token: \"0123456789 abcdef\"}\n"));
    CHECK_FALSE(parse_console_config("metrics: {tokn: 0123456789abcdef}\n"));
    CHECK_FALSE(parse_console_config("metrics: 0123456789abcdef\n"));
    CHECK_FALSE(
        parse_console_config("metrics: {token: 0123456789abcdef, token_file: /etc/hostname}\n"));
}

TEST_CASE("a bearer token matches only exactly, the scheme in any case") {
    const std::string token = "0123456789abcdef";
    CHECK(bearer_token_matches("Bearer 0123456789abcdef", token));
    CHECK(bearer_token_matches("bearer 0123456789abcdef", token));
    CHECK(bearer_token_matches("BEARER  0123456789abcdef ", token));
    CHECK_FALSE(bearer_token_matches("Bearer 0123456789abcdeF", token));
    CHECK_FALSE(bearer_token_matches("Bearer 0123456789abcde", token));
    CHECK_FALSE(bearer_token_matches("Bearer 0123456789abcdef0", token));
    CHECK_FALSE(bearer_token_matches("Bearer ", token));
    CHECK_FALSE(bearer_token_matches("Basic 0123456789abcdef", token));
    CHECK_FALSE(bearer_token_matches("0123456789abcdef", token));
    CHECK_FALSE(bearer_token_matches("", token));
    CHECK_FALSE(bearer_token_matches("Bearer ", ""));  // no token configured: nothing matches
}

TEST_CASE("the token cookie is found among others") {
    CHECK(cookie_value("a=1; treadmill_token=abc-_9; b=2", kTokenCookie) == "abc-_9");
    CHECK(cookie_value("treadmill_token=x", kTokenCookie) == "x");
    CHECK(cookie_value("xtreadmill_token=x; a=b", kTokenCookie).empty());
    CHECK(cookie_value("", kTokenCookie).empty());
}

TEST_CASE("roles: a viewer may only watch, stop and pause") {
    for (const char* cmd : {"stop", "pause", "status", "session"}) {
        CHECK(command_allowed(Role::viewer, cmd));
        CHECK(command_allowed(Role::runner, cmd));
    }
    for (const char* cmd : {"start", "resume", "speed", "incline", "skip", "reset", "save_program",
                            "pair_issue", "pair_revoke"}) {
        CHECK_FALSE(command_allowed(Role::viewer, cmd));
        CHECK(command_allowed(Role::runner, cmd));
    }
    // Never through the console, whatever the role: the watch stream is the console's own,
    // pairing is redeemed over HTTP, the simulator is not a page's business.
    for (const char* cmd : {"watch", "pair_redeem", "pair_check", "sim", "nonsense"}) {
        CHECK_FALSE(command_allowed(Role::runner, cmd));
        CHECK_FALSE(command_allowed(Role::viewer, cmd));
    }
    CHECK(parse_role("runner") == Role::runner);
    CHECK(parse_role("viewer") == Role::viewer);
    CHECK_FALSE(parse_role("admin"));
    CHECK(is_urgent("stop"));
    CHECK(is_urgent("pause"));
    CHECK_FALSE(is_urgent("speed"));
}

TEST_CASE("the history is a runner's: a viewer may not list, show or export it") {
    for (const char* cmd : {"history", "history_show", "bests", "progress", "export"}) {
        CAPTURE(cmd);
        CHECK(command_allowed(Role::runner, cmd));
        CHECK_FALSE(command_allowed(Role::viewer, cmd));
        CHECK(is_history(cmd));  // on the link whose replies may be a whole file
        CHECK_FALSE(is_urgent(cmd));
    }
    // Rewriting the profile is treadmillctl's, not the page's.
    CHECK_FALSE(command_allowed(Role::runner, "profile_update_from_mile"));
    for (const char* cmd : {"stop", "pause", "status", "programs", "start"})
        CHECK_FALSE(is_history(cmd));
}

TEST_CASE("at most 5 commands a second per device; stop and pause always pass") {
    RateLimiter limiter;
    const auto t0 = RateLimiter::Clock::time_point{} + 100s;
    for (int i = 0; i < 5; ++i) CHECK(limiter.allow("d-1", "speed", t0 + i * 10ms));
    CHECK_FALSE(limiter.allow("d-1", "speed", t0 + 100ms));
    CHECK(limiter.allow("d-2", "speed", t0 + 100ms));  // another device has its own budget
    CHECK(limiter.allow("d-1", "stop", t0 + 100ms));
    CHECK(limiter.allow("d-1", "pause", t0 + 100ms));
    CHECK_FALSE(limiter.allow("d-1", "speed", t0 + 999ms));
    CHECK(limiter.allow("d-1", "speed", t0 + 1000ms));  // the first has left the window
}

TEST_CASE("assets: exact lookup only, / is index.html, a query is ignored") {
    const Asset* index = find_asset("/");
    REQUIRE(index);
    CHECK(index->path == "/index.html");
    CHECK(index->content_type == "text/html; charset=utf-8");
    CHECK(index->body.find("<!doctype html>") == 0);
    CHECK(index->etag.size() == 18);  // 16 hex digits, quoted
    CHECK(find_asset("/index.html?v=2") == index);
    REQUIRE(find_asset("/console.js"));
    CHECK(find_asset("/console.js")->content_type == "text/javascript; charset=utf-8");
    REQUIRE(find_asset("/console.css"));
    CHECK(find_asset("/console.css")->etag != index->etag);
    CHECK_FALSE(find_asset("/../console/web/index.html"));
    CHECK_FALSE(find_asset("//index.html"));
    CHECK_FALSE(find_asset("/INDEX.HTML"));
    CHECK_FALSE(find_asset("/index.html/"));
    CHECK_FALSE(find_asset("index.html"));
    CHECK_FALSE(find_asset("/etc/passwd"));
    CHECK_FALSE(find_asset(""));
    for (const Asset& a : embedded_assets()) {
        CHECK(a.path.front() == '/');
        CHECK_FALSE(a.body.empty());
    }
}

TEST_CASE("reconnect back-off doubles up to 2 s") {
    CHECK(next_backoff(100ms) == 200ms);
    CHECK(next_backoff(1500ms) == 2000ms);
    CHECK(next_backoff(2000ms) == 2000ms);
}
