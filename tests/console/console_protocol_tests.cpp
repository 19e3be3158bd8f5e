// treadmill-console against a real treadmilld on the embedded simulator, through a real
// WebSocket client: the upgrade's checks, roles, pairing over HTTP, the relayed watch stream,
// revocation, the daemon going away and coming back.
#include <filesystem>
#include <set>

#include <doctest/doctest.h>

#include "common/base64.hpp"
#include "history/history_store.hpp"
#include "tests/console/console_rig.hpp"
#include "tests/console/stream_checks.hpp"

using namespace treadmill::console_test;

namespace {

http::request<http::string_body> get(ConsoleRig& rig, const std::string& target) {
    http::request<http::string_body> req{http::verb::get, target, 11};
    req.set(http::field::host, rig.host());
    return req;
}

// The daemon's loop stayed on time between two of its status's "loop" objects: `late` grew by
// at most 1 per 1000 cycles (and 1 more).
void expect_loop_on_time(const json& before, const json& later) {
    const auto cycles = later["cycles"].get<long>() - before["cycles"].get<long>();
    const auto late = later["late"].get<long>() - before["late"].get<long>();
    INFO("cycles " << cycles << ", late " << late);
    CHECK(cycles > 0);
    CHECK(late <= cycles / 1000 + 1);
}

// The sockets a process holds open ("socket:[inode]" of each /proc/PID/fd entry).
std::set<std::string> sockets_of(pid_t pid) {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& fd :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        const auto target = std::filesystem::read_symlink(fd.path(), ec).string();
        if (target.rfind("socket:", 0) == 0) out.insert(target);
    }
    return out;
}

}  // namespace

TEST_CASE(
    "the upgrade: forged Origin, wrong Host, no or unknown token → 403; a paired page gets "
    "status") {
    ConsoleRig rig;
    REQUIRE(rig.ready());
    const std::string token = rig.token();
    REQUIRE_FALSE(token.empty());

    CHECK(upgrade_status(rig.port(), "http://evil.example", rig.host(), token) == 403);
    CHECK(upgrade_status(rig.port(), "", rig.host(), token) == 403);
    // DNS rebinding: the attacker's name in Host and Origin alike.
    CHECK(upgrade_status(rig.port(), "http://evil.example:1", "evil.example:1", token) == 403);
    CHECK(upgrade_status(rig.port(), rig.origin(), rig.host(), "") == 403);
    CHECK(upgrade_status(rig.port(), rig.origin(), rig.host(), "not-a-token") == 403);

    WsClient page(rig.port(), rig.origin(), rig.host(), token);
    REQUIRE(page.upgrade_status() == 101);
    auto hello = page.next("hello", 2s);
    REQUIRE(hello);
    CHECK((*hello)["role"] == "runner");
    expect_idle_stream(page);
}

TEST_CASE("a viewer may stop and pause but not start; a runner starts and changes speed") {
    ConsoleRig rig;
    REQUIRE(rig.ready());
    WsClient viewer(rig.port(), rig.origin(), rig.host(), rig.token("viewer"));
    REQUIRE(viewer.upgrade_status() == 101);
    auto refused = viewer.call({{"cmd", "start"}, {"program", "8x400m"}});
    REQUIRE(refused);
    CHECK((*refused)["ok"] == false);
    CHECK((*refused)["error"]["code"] == "refused");
    CHECK((*refused)["error"]["message"].get<std::string>().find("viewer") != std::string::npos);
    CHECK(rig.state() == "idle");  // nothing reached the daemon

    WsClient runner(rig.port(), rig.origin(), rig.host(), rig.token("runner"));
    REQUIRE(runner.upgrade_status() == 101);
    auto started = runner.call({{"cmd", "start"},
                                {"program", "easy-run"},
                                {"pace", {{"easy", "6:00/km"}, {"jog", "7:00/km"}}}});
    REQUIRE(started);
    CHECK((*started)["ok"] == true);
    CHECK(treadmill::testing::wait_until([&] { return rig.state() == "running"; }, 15s));
    auto faster = runner.call({{"cmd", "speed"}, {"delta", "+1 km/h"}});
    REQUIRE(faster);
    CHECK((*faster)["ok"] == true);

    auto viewer_speed = viewer.call({{"cmd", "speed"}, {"delta", "+1 km/h"}});
    REQUIRE(viewer_speed);
    CHECK((*viewer_speed)["ok"] == false);
    auto paused = viewer.call({{"cmd", "pause"}});
    REQUIRE(paused);
    CHECK((*paused)["ok"] == true);
    CHECK(treadmill::testing::wait_until([&] { return rig.state() == "paused"; }, 5s));
    auto stopped = viewer.call({{"cmd", "stop"}});
    REQUIRE(stopped);
    CHECK((*stopped)["ok"] == true);
    CHECK(treadmill::testing::wait_until([&] { return rig.state() == "idle"; }, 30s));
}

TEST_CASE("a message with a NUL and junk after a whole request is refused; nothing is sent") {
    ConsoleRig rig;
    REQUIRE(rig.ready());
    WsClient page(rig.port(), rig.origin(), rig.host(), rig.token("runner"));
    REQUIRE(page.upgrade_status() == 101);
    // nlohmann alone stops at the NUL and would see a whole start request.
    page.send_text(std::string(R"({"id":7,"cmd":"start","program":"easy-run"})") + '\0' + "junk");
    const auto refused = page.next("reply", 5s);
    REQUIRE(refused);
    CHECK((*refused)["id"].is_null());
    CHECK((*refused)["msg"]["ok"] == false);
    CHECK((*refused)["msg"]["error"]["code"] == "bad_request");
    CHECK((*refused)["msg"]["error"]["message"] ==
          "not a request: a NUL byte at column 44 of the message");
    page.send_text(R"({"id":8,"cmd":"start","program":"easy-run"} {"cmd":"x"})");
    const auto junk = page.next("reply", 5s);
    REQUIRE(junk);
    CHECK((*junk)["msg"]["error"]["message"].get<std::string>().find("not valid JSON") !=
          std::string::npos);
    CHECK(rig.state() == "idle");                 // nothing reached the daemon
    auto still = page.call({{"cmd", "status"}});  // the page goes on
    REQUIRE(still);
    CHECK((*still)["ok"] == true);
}

TEST_CASE("at most 5 commands a second per device; stop still goes through") {
    ConsoleRig rig;
    REQUIRE(rig.ready());
    WsClient page(rig.port(), rig.origin(), rig.host(), rig.token());
    REQUIRE(page.upgrade_status() == 101);
    int limited = 0;
    for (int i = 0; i < 8; ++i) {
        auto r = page.call({{"cmd", "status"}});
        REQUIRE(r);
        if ((*r)["ok"] == false &&
            (*r)["error"]["message"].get<std::string>().find("too many") != std::string::npos) {
            ++limited;
            CHECK((*r)["error"]["retry_after_ms"] == 250);  // the page retries its reads then
        }
    }
    CHECK(limited >= 2);
    auto stop = page.call({{"cmd", "stop"}});
    REQUIRE(stop);
    // It reached the daemon (which has nothing to stop while idle), past the console's limit.
    CHECK((*stop)["error"]["message"] == "nothing to stop in state idle");
}

TEST_CASE("a stop never waits behind other requests: it has its own connection to the daemon") {
    ConsoleRig rig;
    REQUIRE(rig.ready());
    WsClient page(rig.port(), rig.origin(), rig.host(), rig.token());
    REQUIRE(page.upgrade_status() == 101);
    auto started = page.call({{"cmd", "start"},
                              {"program", "easy-run"},
                              {"pace", {{"easy", "6:00/km"}, {"jog", "7:00/km"}}}});
    REQUIRE(started);
    REQUIRE((*started)["ok"] == true);
    REQUIRE(treadmill::testing::wait_until([&] { return rig.state() == "running"; }, 15s));
    // Four slow requests (a ~55 KiB program to validate, parsed one after the other on the
    // console's command connection), then at once a stop: its reply comes before the last
    // validate's, as it does not queue behind them.
    std::string yaml = "schema: treadmill-workout/1\nname: \"Long\"\nsteps:\n";
    while (yaml.size() < 55 * 1024) yaml += "  - run: 1 min\n    speed: 8 km/h\n";
    constexpr int kSlow = 4;
    constexpr int kStop = 99;
    for (int id = 1; id <= kSlow; ++id)
        page.send({{"id", id}, {"cmd", "validate"}, {"yaml", yaml}});
    page.send({{"id", kStop}, {"cmd", "stop"}});
    std::vector<int> order;
    json stop_reply;
    while (order.size() < kSlow + 1) {
        auto m = page.next("reply", 20s);
        REQUIRE(m);
        order.push_back((*m)["id"].get<int>());
        if (order.back() == kStop)
            stop_reply = (*m)["msg"];
        else
            CHECK((*m)["msg"]["ok"] == true);
    }
    std::string seen;
    for (int id : order) seen += std::to_string(id) + " ";
    MESSAGE("replies in the order " << seen);
    CHECK(stop_reply["ok"] == true);
    CHECK(order.back() != kStop);
    CHECK(treadmill::testing::wait_until([&] { return rig.state() == "idle"; }, 30s));
}

TEST_CASE(
    "the API's idle time-out does not drop the console: after 3 time-outs without a page's "
    "request, its stop succeeds at the first try") {
    // The daemon closes a connection idle for 2 s; the console's command connections send a
    // keepalive each second.
    ConsoleRig rig("keepalive: 1 s\n", Scheme::http, {}, "api: {idle_timeout: 2 s}\n");
    REQUIRE(rig.ready());
    WsClient page(rig.port(), rig.origin(), rig.host(), rig.token());
    REQUIRE(page.upgrade_status() == 101);
    auto started = page.call({{"cmd", "start"},
                              {"program", "easy-run"},
                              {"pace", {{"easy", "6:00/km"}, {"jog", "7:00/km"}}}});
    REQUIRE(started);
    REQUIRE((*started)["ok"] == true);
    REQUIRE(treadmill::testing::wait_until([&] { return rig.state() == "running"; }, 15s));
    // 6 s: the page only reads its stream. The console's connections to the daemon stay the
    // same ones: none was closed for idleness and opened again.
    const auto before = sockets_of(rig.console_pid());
    const auto quiet_until = std::chrono::steady_clock::now() + 6s;
    while (std::chrono::steady_clock::now() < quiet_until) REQUIRE(page.next("status", 2s));
    CHECK(rig.state() == "running");
    CHECK(sockets_of(rig.console_pid()) == before);
    auto stopped = page.call({{"cmd", "stop"}});
    REQUIRE(stopped);
    CHECK((*stopped)["ok"] == true);
    // The other command connections are there too: a read and a history command.
    auto status = page.call({{"cmd", "status"}});
    REQUIRE(status);
    CHECK((*status)["ok"] == true);
    auto history = page.call({{"cmd", "history"}});
    REQUIRE(history);
    CHECK((*history)["ok"] == true);
    CHECK(treadmill::testing::wait_until([&] { return rig.state() == "idle"; }, 30s));
}

TEST_CASE("pairing over HTTP: a wrong PIN is refused, the right one sets an HttpOnly cookie") {
    ConsoleRig rig;
    REQUIRE(rig.ready());
    auto me = http_request(rig.port(), get(rig, "/api/me"));
    CHECK(me.result_int() == 401);

    auto post = [&](const std::string& body, const std::string& origin) {
        http::request<http::string_body> req{http::verb::post, "/api/pair", 11};
        req.set(http::field::host, rig.host());
        if (!origin.empty()) req.set(http::field::origin, origin);
        req.set(http::field::content_type, "application/json");
        req.body() = body;
        return http_request(rig.port(), req);
    };
    const std::string pin = rig.pin();
    REQUIRE(pin.size() == 6);
    // A cross-site form cannot redeem a PIN.
    CHECK(post(R"({"pin":")" + pin + R"("})", "http://evil.example").result_int() == 403);
    const std::string wrong = pin == "000000" ? "111111" : "000000";
    auto bad = post(R"({"pin":")" + wrong + R"("})", rig.origin());
    CHECK(bad.result_int() == 403);
    CHECK(bad.body().find("wrong or expired PIN") != std::string::npos);
    CHECK(post("not json", rig.origin()).result_int() == 400);
    // The right PIN, then a NUL and junk: refused as a whole, and the PIN is not spent.
    const auto nul = post(R"({"pin":")" + pin + R"("})" + std::string(1, '\0') + "x", rig.origin());
    CHECK(nul.result_int() == 400);
    CHECK(nul.body().find("a NUL byte at column 17") != std::string::npos);

    auto ok = post(R"({"pin":")" + pin + R"(","device":"Test tablet"})", rig.origin());
    REQUIRE(ok.result_int() == 200);
    const std::string cookie(ok[http::field::set_cookie]);
    CHECK(cookie.find("treadmill_token=") == 0);
    CHECK(cookie.find("HttpOnly") != std::string::npos);
    CHECK(cookie.find("SameSite=Strict") != std::string::npos);
    const std::string token = cookie.substr(16, cookie.find(';') - 16);
    CHECK(token.size() >= 43);
    // The PIN was one-time.
    CHECK(post(R"({"pin":")" + pin + R"("})", rig.origin()).result_int() == 403);

    auto req = get(rig, "/api/me");
    req.set(http::field::cookie, "treadmill_token=" + token);
    auto who = http_request(rig.port(), req);
    CHECK(who.result_int() == 200);
    CHECK(who.body().find("Test tablet") != std::string::npos);
}

TEST_CASE("a revoked device's page is closed within 1 s") {
    ConsoleRig rig;
    REQUIRE(rig.ready());
    WsClient page(rig.port(), rig.origin(), rig.host(), rig.token());
    REQUIRE(page.upgrade_status() == 101);
    auto hello = page.next("hello", 2s);
    REQUIRE(hello);
    auto revoked =
        rig.call({{"id", 1}, {"cmd", "pair_revoke"}, {"device_id", (*hello)["device_id"]}});
    REQUIRE(revoked);
    CHECK((*revoked)["ok"] == true);
    const auto t0 = std::chrono::steady_clock::now();
    while (page.read(2s)) {
    }
    CHECK_FALSE(page.open());
    CHECK(std::chrono::steady_clock::now() - t0 < 1500ms);
}

TEST_CASE("max_clients: the next upgrade gets 503") {
    ConsoleRig rig("max_clients: 2\n");
    REQUIRE(rig.ready());
    const std::string token = rig.token();
    WsClient a(rig.port(), rig.origin(), rig.host(), token);
    WsClient b(rig.port(), rig.origin(), rig.host(), token);
    CHECK(a.upgrade_status() == 101);
    CHECK(b.upgrade_status() == 101);
    CHECK(upgrade_status(rig.port(), rig.origin(), rig.host(), token) == 503);
}

TEST_CASE("the daemon killed: pages are told, and told again when it is back") {
    ConsoleRig rig;
    REQUIRE(rig.ready());
    const std::string token = rig.token();
    WsClient page(rig.port(), rig.origin(), rig.host(), token);
    REQUIRE(page.upgrade_status() == 101);
    REQUIRE(page.next("status", 2s));
    rig.kill_daemon();
    auto down = page.next("link", 5s);
    REQUIRE(down);
    CHECK((*down)["up"] == false);
    auto refused = page.call({{"cmd", "status"}});
    REQUIRE(refused);
    CHECK((*refused)["ok"] == false);
    rig.start_daemon();
    auto up = page.next("link", 15s);
    REQUIRE(up);
    CHECK((*up)["up"] == true);
    CHECK(page.next("status", 2s));
    // The token survived the restart (the daemon's pairing file): a new page still gets in.
    WsClient again(rig.port(), rig.origin(), rig.host(), token);
    CHECK(again.upgrade_status() == 101);
    CHECK(again.next("status", 2s));
}

TEST_CASE("HTTP: assets with ETag and 304, 404, bad Host, header and body limits") {
    ConsoleRig rig;
    REQUIRE(rig.ready());
    auto index = http_request(rig.port(), get(rig, "/"));
    REQUIRE(index.result_int() == 200);
    const std::string etag(index[http::field::etag]);
    CHECK_FALSE(etag.empty());
    auto again = get(rig, "/");
    again.set(http::field::if_none_match, etag);
    CHECK(http_request(rig.port(), again).result_int() == 304);
    CHECK(http_request(rig.port(), get(rig, "/../etc/passwd")).result_int() == 404);
    auto rebinding = get(rig, "/");
    rebinding.set(http::field::host, "evil.example:80");
    CHECK(http_request(rig.port(), rebinding).result_int() == 403);
    auto huge_header = get(rig, "/");
    huge_header.set("X-Padding", std::string(10000, 'a'));
    CHECK(http_request(rig.port(), huge_header).result_int() == 431);
    http::request<http::string_body> huge_body{http::verb::post, "/api/pair", 11};
    huge_body.set(http::field::host, rig.host());
    huge_body.body() = std::string(20000, 'x');
    CHECK(http_request(rig.port(), huge_body).result_int() == 413);
}

TEST_CASE(
    "200 pages connect and vanish, 5 times: the console serves on, the daemon's loop stays on "
    "time") {
    ConsoleRig rig("max_clients: 256\n");
    REQUIRE(rig.ready());
    const std::string token = rig.token();
    const json before = rig.status()["loop"];
    for (int round = 0; round < 5; ++round) {
        std::vector<std::unique_ptr<WsClient>> pages;
        for (int i = 0; i < 200; ++i)
            pages.push_back(
                std::make_unique<WsClient>(rig.port(), rig.origin(), rig.host(), token));
        int open = 0;
        for (const auto& p : pages) open += p->upgrade_status() == 101;
        CHECK(open == 200);
        // A few read their stream; then all vanish at once (sockets closed, no close frame).
        for (int i = 0; i < 5; ++i) CHECK(pages[static_cast<std::size_t>(i)]->next("status", 2s));
    }
    WsClient after(rig.port(), rig.origin(), rig.host(), token);
    REQUIRE(after.upgrade_status() == 101);
    CHECK(after.next("status", 2s));
    expect_loop_on_time(before, rig.status()["loop"]);
}

TEST_CASE(
    "a page that never reads is dropped, not buffered without limit; the daemon's loop stays on "
    "time") {
    ConsoleRig rig("max_clients: 1\n");
    REQUIRE(rig.ready());
    const std::string token = rig.token();
    const json before = rig.status()["loop"];
    WsClient stuck(rig.port(), rig.origin(), rig.host(), token, 4096);
    REQUIRE(stuck.upgrade_status() == 101);
    // It holds the only place; once the console has dropped it, the place is free again.
    CHECK(upgrade_status(rig.port(), rig.origin(), rig.host(), token) == 503);
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(treadmill::testing::wait_until(
        [&] {
            std::this_thread::sleep_for(500ms);
            return upgrade_status(rig.port(), rig.origin(), rig.host(), token) == 101;
        },
        90s));
    MESSAGE("dropped after " << std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::steady_clock::now() - t0)
                                    .count()
                             << " s");
    expect_loop_on_time(before, rig.status()["loop"]);
}

namespace {

// One hour at 12 km/h in 12 laps of 5 minutes, ended `completed`: the session whose FIT must
// pass the console whole.
void record_one_hour(const std::string& database) {
    namespace h = treadmill::history;
    auto opened = h::HistoryStore::open(database);
    REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error()));
    auto& store = *opened->store;
    const std::int64_t start_ms = 1'796'000'000'000;  // 2026-11-29
    h::SessionStart start;
    start.program_id = "easy-run";
    start.name = "One hour";
    start.start_utc_ms = start_ms;
    start.software_version = "test";
    std::int64_t id = 0;
    std::int64_t mm = 0;
    store.in_transaction([&] {
        id = store.begin_session(start);
        for (int s = 0; s <= 3600; ++s) {
            if (s % 300 == 0 && s < 3600)
                store.start_lap(id, {"run", true, s / 300, 0, static_cast<double>(s), mm});
            h::Sample sample;
            sample.elapsed_s = s;
            sample.utc_ms = start_ms + s * 1000;
            sample.distance_mm = mm;
            sample.speed_kmh = sample.target_speed_kmh = 12.0;
            sample.step = s / 300;
            store.add_sample(id, sample);
            mm += 3333;
        }
    });
    h::SessionEnd end;
    end.duration_s = 3600;
    end.distance_mm = mm - 3333;
    store.end_session(id, end);
}

}  // namespace

TEST_CASE(
    "the history through the console: a runner lists, shows and exports a one-hour FIT; "
    "a viewer is refused") {
    ConsoleRig rig({}, Scheme::http, record_one_hour);
    REQUIRE(rig.ready());
    WsClient viewer(rig.port(), rig.origin(), rig.host(), rig.token("viewer"));
    REQUIRE(viewer.upgrade_status() == 101);
    for (const char* cmd : {"history", "bests", "export"}) {
        CAPTURE(cmd);
        auto refused = viewer.call({{"cmd", cmd}, {"session", 1}, {"format", "fit"}});
        REQUIRE(refused);
        CHECK((*refused)["ok"] == false);
        CHECK((*refused)["error"]["code"] == "refused");
    }

    WsClient runner(rig.port(), rig.origin(), rig.host(), rig.token("runner"));
    REQUIRE(runner.upgrade_status() == 101);
    auto list = runner.call({{"cmd", "history"}});
    REQUIRE(list);
    REQUIRE((*list)["sessions"].size() == 1);
    const json session = (*list)["sessions"][0];
    CHECK(session["name"] == "One hour");
    CHECK(session["duration_s"] == 3600);
    auto shown = runner.call({{"cmd", "history_show"}, {"session", session["id"]}});
    REQUIRE(shown);
    CHECK((*shown)["session"]["laps"].size() == 12);
    auto bests = runner.call({{"cmd", "bests"}});
    REQUIRE(bests);
    CHECK((*bests)["bests"].size() == 6);  // 400 m … 10 km: 12 km were run

    // The FIT: the same bytes as the daemon sends, larger than the 96 KiB of a page's message.
    const auto direct =
        rig.call({{"id", 1}, {"cmd", "export"}, {"session", session["id"]}, {"format", "fit"}});
    REQUIRE(direct);
    REQUIRE((*direct)["ok"] == true);
    auto fit = runner.call({{"cmd", "export"}, {"session", session["id"]}, {"format", "fit"}}, 10s);
    REQUIRE(fit);
    REQUIRE((*fit)["ok"] == true);
    CHECK((*fit)["encoding"] == "base64");
    CHECK((*fit)["data"] == (*direct)["data"]);
    const auto bytes = treadmill::base64_decode((*fit)["data"].get<std::string>());
    REQUIRE(bytes);
    MESSAGE("one-hour FIT: " << bytes->size() << " bytes, "
                             << (*fit)["data"].get<std::string>().size() << " in base64");
    // Larger than the 96 KiB a page may send: the limit is on what comes in, not what goes out.
    CHECK((*fit)["data"].get<std::string>().size() > 96 * 1024);
    CHECK(bytes->substr(8, 4) == ".FIT");
    // The TCX (the largest of the formats; over the 1 MiB of the other links) passes too, and
    // the page's link carries on (within the rate limit of 5 commands a second).
    auto tcx = runner.call({{"cmd", "export"}, {"session", session["id"]}, {"format", "tcx"}}, 10s);
    REQUIRE(tcx);
    CHECK((*tcx)["ok"] == true);
    MESSAGE("one-hour TCX: " << (*tcx)["data"].get<std::string>().size() << " bytes in base64");
    CHECK((*tcx)["data"].get<std::string>().size() > 1024 * 1024);
    CHECK(treadmill::testing::wait_until(
        [&] {
            const auto after = runner.call({{"cmd", "status"}});
            return after && (*after)["ok"] == true;
        },
        3s));
}
