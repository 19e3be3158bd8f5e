// GET /metrics on a real treadmill-console in front of a real treadmilld on the embedded
// simulator: the Prometheus text (checked by promtool and python3-prometheus-client's parser),
// no pairing needed but nothing else opened, read-only, the bearer token, the daemon away.
#include <doctest/doctest.h>

#include "tests/console/console_rig.hpp"

using namespace treadmill::console_test;

namespace {

constexpr const char* kToken = "s3cret-metrics-token-0123456789";

http::request<http::string_body> metrics_request(ConsoleRig& rig, http::verb verb = http::verb::get,
                                                 const std::string& authorization = {}) {
    http::request<http::string_body> req{verb, "/metrics", 11};
    req.set(http::field::host, rig.host());
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    return req;
}

// A HEAD request: the response's headers (a parser told that no body follows them).
http::response<http::string_body> head_request(std::uint16_t port,
                                               http::request<http::string_body> req) {
    asio::io_context io;
    tcp::socket s(io);
    beast::error_code ec;
    s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return {};
    http::write(s, req, ec);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.skip(true);
    if (!ec) http::read(s, buf, parser, ec);
    return ec ? http::response<http::string_body>{} : parser.release();
}

// The output of a checker run on `text` (written to a file of its own).
t::CommandResult check_text(const std::string& text, const std::vector<std::string>& argv) {
    const std::string dir = t::make_temp_dir();
    const std::string file = dir + "/metrics.prom";
    std::ofstream(file) << text;
    std::vector<std::string> args = argv;
    args.push_back(file);
    auto result = t::run_command(args, 30s);
    std::filesystem::remove_all(dir);
    return result;
}

}  // namespace

TEST_CASE("/metrics without pairing: Prometheus text that promtool and the python parser read") {
    ConsoleRig rig;
    REQUIRE(rig.ready());
    const auto res = http_request(rig.port(), metrics_request(rig));
    REQUIRE(res.result_int() == 200);
    CHECK(res[http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
    const std::string text = res.body();
    INFO(text);
    CHECK(text.find("# TYPE treadmill_belt_running_seconds_total counter\n") != std::string::npos);
    CHECK(text.find("treadmill_daemon_starts_total ") != std::string::npos);
    CHECK(text.find("treadmill_state{state=\"idle\"} 1\n") != std::string::npos);

    const auto promtool = check_text(text, {"/bin/sh", "-c", "promtool check metrics < \"$0\""});
    INFO(promtool.output);
    CHECK(promtool.exit_code == 0);
    const auto parsed =
        check_text(text, {"/usr/bin/python3", "-c",
                          "import sys\n"
                          "from prometheus_client.parser import text_string_to_metric_families\n"
                          "for f in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
                          "    for s in f.samples:\n"
                          "        print(f.type, s.name, sorted(s.labels.items()), s.value)\n"});
    INFO(parsed.output);
    REQUIRE(parsed.exit_code == 0);
    CHECK(parsed.output.find("gauge treadmill_state [('state', 'idle')] 1.0") != std::string::npos);
    CHECK(parsed.output.find("counter treadmill_daemon_starts_total [] ") != std::string::npos);
    CHECK(parsed.output.find("counter treadmill_modbus_transactions_total [('board', ") !=
          std::string::npos);

    // HEAD: the headers and the length, no body.
    const auto head = head_request(rig.port(), metrics_request(rig, http::verb::head));
    CHECK(head.result_int() == 200);
    CHECK(head[http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(std::stoul(std::string(head[http::field::content_length])) > 1000);
    // Read-only: anything but GET and HEAD is 405, and says what is allowed.
    for (const auto verb : {http::verb::post, http::verb::put, http::verb::delete_}) {
        const auto refused = http_request(rig.port(), metrics_request(rig, verb));
        CHECK(refused.result_int() == 405);
        CHECK(refused[http::field::allow] == "GET, HEAD");
    }
    // Only /metrics is exempt from pairing: the console's own API still wants a paired device.
    http::request<http::string_body> me{http::verb::get, "/api/me", 11};
    me.set(http::field::host, rig.host());
    CHECK(http_request(rig.port(), me).result_int() == 401);
    CHECK(upgrade_status(rig.port(), rig.origin(), rig.host(), "") == 403);
    // The Host check (DNS rebinding) still applies.
    auto rebinding = metrics_request(rig);
    rebinding.set(http::field::host, "evil.example:80");
    CHECK(http_request(rig.port(), rebinding).result_int() == 403);
}

TEST_CASE("/metrics with a token: 401 without it or with a wrong one, 200 with Bearer <token>") {
    ConsoleRig rig(std::string("metrics: {token: ") + kToken + "}\n");
    REQUIRE(rig.ready());
    const std::string token = kToken;
    const auto status_with = [&](const std::string& authorization) {
        return http_request(rig.port(), metrics_request(rig, http::verb::get, authorization))
            .result_int();
    };
    const auto missing = http_request(rig.port(), metrics_request(rig));
    CHECK(missing.result_int() == 401);
    CHECK(std::string(missing[http::field::www_authenticate]).rfind("Bearer", 0) == 0);
    CHECK(missing.body().find("treadmill_") == std::string::npos);
    CHECK(status_with("Bearer wrong") == 401);
    std::string same_length = token;
    same_length.back() = 'X';
    CHECK(status_with("Bearer " + same_length) == 401);
    CHECK(status_with("Bearer " + token + "x") == 401);
    CHECK(status_with("Bearer " + token.substr(0, token.size() - 1)) == 401);
    CHECK(status_with("Basic " + token) == 401);
    CHECK(status_with(token) == 401);
    // A paired page's cookie is no substitute for the token.
    auto with_cookie = metrics_request(rig);
    with_cookie.set(http::field::cookie, "treadmill_token=" + rig.token());
    CHECK(http_request(rig.port(), with_cookie).result_int() == 401);

    const auto ok =
        http_request(rig.port(), metrics_request(rig, http::verb::get, "Bearer " + token));
    CHECK(ok.result_int() == 200);
    CHECK(ok.body().find("treadmill_state{state=\"idle\"} 1\n") != std::string::npos);
    CHECK(status_with("bearer " + token) == 200);  // the scheme is case-insensitive
    // The token does not open a write: POST stays refused.
    CHECK(http_request(rig.port(), metrics_request(rig, http::verb::post, "Bearer " + token))
              .result_int() == 405);
}

TEST_CASE("/metrics while treadmilld is away: 503 with a short text; back: 200") {
    ConsoleRig rig;
    REQUIRE(rig.ready());
    CHECK(http_request(rig.port(), metrics_request(rig)).result_int() == 200);
    rig.kill_daemon();
    http::response<http::string_body> away;
    CHECK(t::wait_until(
        [&] {
            away = http_request(rig.port(), metrics_request(rig));
            return away.result_int() == 503;
        },
        5s));
    CHECK(away.body() == "treadmilld is not reachable\n");
    CHECK(std::string(away[http::field::content_type]).rfind("text/plain", 0) == 0);
    rig.start_daemon();
    CHECK(t::wait_until(
        [&] { return http_request(rig.port(), metrics_request(rig)).result_int() == 200; }, 20s));
}
