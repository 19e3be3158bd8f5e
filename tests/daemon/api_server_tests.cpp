// The control API server with a stub dispatcher: framing, error codes, limits, watchers, and a
// timer on the same io_context (standing in for the control cycle) that must keep its schedule.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "controller/api/server.hpp"
#include "tests/daemon/line_client.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using treadmill::testing::LineClient;
namespace api = treadmill::api;
namespace asio = boost::asio;

namespace {

// `later` answers after `ms` milliseconds (a timer on `io`), as a command working off the loop.
api::CommandTable stub_commands(asio::io_context& io) {
    api::CommandTable table;
    table.add("echo", [](const json& r) { return api::Reply(json{{"echo", r}}); });
    table.add("stop", [](const json&) { return api::Reply(json{{"stopped", true}}); });
    table.add("serialized", [](const json& r) {
        return api::Reply(api::serialized_fields(r.value("fields", json::object())));
    });
    table.add_deferred("later", [&io](const json& r, api::Respond respond) {
        auto timer = std::make_shared<asio::steady_timer>(io);
        timer->expires_after(std::chrono::milliseconds(r.value("ms", 50)));
        timer->async_wait([timer, respond](boost::system::error_code) {
            respond(json{{"later", true}});
        });
    });
    // `big` and `big_plain` answer later with `bytes` characters (a file, as `export` does).
    for (const char* name : {"big", "big_plain"}) {
        table.add_deferred(name, [&io](const json& r, api::Respond respond) {
            asio::post(io, [respond, n = r.value("bytes", 0)] {
                respond(json{{"data", std::string(static_cast<std::size_t>(n), 'x')}});
            });
        });
    }
    table.add("speed", [](const json& r) -> api::Reply {
        auto value = api::required_string(r, "value");
        if (!value) return treadmill::Unexpected{value.error()};
        if (*value != "12 km/h") return api::fail(api::ErrorCode::bad_value, "bad speed");
        return json::object();
    });
    table.add("boom", [](const json&) -> api::Reply { throw std::runtime_error("boom"); });
    table.add("slow", [](const json&) {  // a handler that costs 20 ms of the loop's time
        std::this_thread::sleep_for(20ms);
        return api::Reply(json::object());
    });
    table.set_status([] { return json{{"state", "idle"}, {"padding", std::string(2000, 'x')}}; });
    return table;
}

// A server on its own io_context thread, plus a 10 ms "control cycle" timer on the same
// io_context that records how late it ever fired.
// With `quiet`, each cycle tells the server when the next is due (as the daemon does).
struct ServerFixture {
    explicit ServerFixture(api::ServerOptions options = {},
                           std::chrono::milliseconds period_ = 10ms, bool quiet_ = false)
        : path(treadmill::testing::make_temp_dir() + "/control.sock"),
          table(stub_commands(io)),
          server(io, path, table, std::move(options)),
          cycle(io),
          period(period_),
          quiet(quiet_) {
        server.set_guard(treadmill::CallbackGuard([this](const char* where, const char*) {
            guarded_where = where;  // io thread; read after the reply that follows it
            ++guarded;
        }));
        auto opened = server.open();
        REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error()));
        cycle.expires_after(period);
        cycle.async_wait([this](auto ec) { on_cycle(ec); });
        thread = std::thread([this] { io.run(); });
    }
    ~ServerFixture() {
        asio::post(io, [this] {
            stopping = true;
            server.close();
            cycle.cancel();
        });
        thread.join();
    }
    // Like the daemon's control loop: the next cycle one period after this one ran; what is
    // measured is how much longer than the period the gap between two cycles ever was.
    void on_cycle(boost::system::error_code ec) {
        if (ec || stopping) return;
        const auto now = std::chrono::steady_clock::now();
        const auto late = now - cycle.expiry();
        if (late > max_late.load()) max_late = late;
        ++cycles;
        if (quiet) server.on_cycle(now + period);
        cycle.expires_at(now + period);
        cycle.async_wait([this](auto e) { on_cycle(e); });
    }
    std::size_t client_count() {
        std::promise<std::size_t> count;
        asio::post(io, [&] { count.set_value(server.client_count()); });
        return count.get_future().get();
    }
    std::uint64_t accept_errors() {
        std::promise<std::uint64_t> count;
        asio::post(io, [&] { count.set_value(server.accept_errors()); });
        return count.get_future().get();
    }

    asio::io_context io;
    std::string path;
    api::CommandTable table;
    api::ApiServer server;
    asio::steady_timer cycle;
    std::chrono::milliseconds period;
    bool quiet;
    std::atomic<std::chrono::steady_clock::duration> max_late{};
    std::atomic<int> cycles{0};
    std::atomic<int> guarded{0};  // exceptions the server's guard caught
    std::string guarded_where;
    bool stopping = false;  // io thread only
    std::thread thread;
};

// How late the cycle timer may fire: well inside control.watchdog (1 s); the rest is the
// scheduling noise of a loaded 2-core CI machine, not the server.
constexpr auto kMaxCycleLateness = 250ms;

std::string error_code(const std::optional<json>& reply) {
    if (!reply || reply->value("ok", true)) return "";
    return (*reply)["error"]["code"];
}

}  // namespace

TEST_CASE("requests get replies with their id; bad input gets the right error code") {
    ServerFixture f;
    LineClient c(f.path);
    REQUIRE(c.connected());
    const auto ok = c.call({{"id", 7}, {"cmd", "echo"}, {"x", 1}});
    REQUIRE(ok);
    CHECK((*ok)["id"] == 7);
    CHECK((*ok)["ok"] == true);
    CHECK((*ok)["echo"]["x"] == 1);

    CHECK(c.send_raw("{\"id\":1,\"cmd\":\n"));
    CHECK(error_code(c.read_json(2s)) == "bad_json");
    CHECK(error_code(c.call(json::array({1, 2}))) == "bad_request");
    CHECK(error_code(c.call({{"id", "one"}, {"cmd", "echo"}})) == "bad_request");
    CHECK(error_code(c.call({{"id", 2}})) == "bad_request");
    CHECK(error_code(c.call({{"id", 3}, {"cmd", 5}})) == "bad_request");
    const auto unknown = c.call({{"id", 4}, {"cmd", "fly"}});
    CHECK(error_code(unknown) == "unknown_command");
    CHECK((*unknown)["id"] == 4);
    CHECK(error_code(c.call({{"id", 5}, {"cmd", "speed"}, {"value", 12}})) == "bad_request");
    CHECK(error_code(c.call({{"id", 6}, {"cmd", "speed"}, {"value", "99 mph"}})) == "bad_value");
    // A handler that throws: the guard's handler runs (in the daemon: STOP and fault internal),
    // the request is answered `internal`, and the connection goes on.
    CHECK(error_code(c.call({{"id", 8}, {"cmd", "boom"}})) == "internal");
    CHECK(f.guarded == 1);
    CHECK(f.guarded_where == "an API request");
    // Still serving after all of that; CRLF and blank lines are fine.
    CHECK(c.send_raw("\r\n\n{\"id\":9,\"cmd\":\"speed\",\"value\":\"12 km/h\"}\r\n"));
    const auto last = c.read_json(2s);
    REQUIRE(last);
    CHECK((*last)["ok"] == true);
    CHECK((*last)["id"] == 9);
}

TEST_CASE("a reply whose fields came serialised is one line with the id, ok and those fields") {
    ServerFixture f;
    LineClient c(f.path);
    const auto some = c.call({{"id", 1}, {"cmd", "serialized"}, {"fields", {{"x", {1, 2}}}}});
    REQUIRE(some);
    CHECK(*some == json{{"id", 1}, {"ok", true}, {"x", {1, 2}}});
    const auto none = c.call({{"id", 2}, {"cmd", "serialized"}});
    REQUIRE(none);
    CHECK(*none == json{{"id", 2}, {"ok", true}});
}

TEST_CASE("the socket is mode 0660; a stale socket file is replaced, a live one refused") {
    ServerFixture f;
    struct stat st {};
    REQUIRE(stat(f.path.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0660);
    asio::io_context other;
    api::ApiServer second(other, f.path, f.table);
    const auto refused = second.open();
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().find("another daemon") != std::string::npos);
}

TEST_CASE("a line over 64 KiB gets an error reply, then the connection is closed") {
    ServerFixture f;
    LineClient big(f.path);
    LineClient other(f.path);
    std::thread writer([&] { big.send_raw(std::string(1 << 20, 'x') + "\n"); });
    const auto reply = big.read_json(5s);
    writer.join();
    CHECK(error_code(reply) == "bad_request");
    CHECK((*reply)["error"]["message"].get<std::string>().find("65536") != std::string::npos);
    CHECK(big.wait_eof(2s));
    CHECK(other.call({{"id", 1}, {"cmd", "echo"}}).has_value());
    CHECK(f.max_late.load() < kMaxCycleLateness);
}

TEST_CASE("100 concurrent clients each get their answers") {
    ServerFixture f;
    std::vector<std::unique_ptr<LineClient>> clients;
    for (int i = 0; i < 100; ++i) {
        clients.push_back(std::make_unique<LineClient>(f.path));
        REQUIRE(clients.back()->connected());
    }
    for (int round = 0; round < 5; ++round) {
        for (int i = 0; i < 100; ++i)
            CHECK(clients[static_cast<std::size_t>(i)]->send(
                {{"id", i * 10 + round}, {"cmd", "echo"}}));
    }
    int answered = 0;
    for (int i = 0; i < 100; ++i) {
        for (int round = 0; round < 5; ++round) {
            const auto reply = clients[static_cast<std::size_t>(i)]->read_json(5s);
            if (reply && (*reply)["id"] == i * 10 + round && (*reply)["ok"] == true) ++answered;
        }
    }
    CHECK(answered == 500);
    CHECK(f.client_count() == 100);
    clients.clear();
    CHECK(treadmill::testing::wait_until([&] { return f.client_count() == 0; }, 2s));
    CHECK(f.max_late.load() < kMaxCycleLateness);
}

TEST_CASE("a flood from one client does not starve another client or the cycle timer") {
    ServerFixture f;
    LineClient flooder(f.path);
    LineClient calm(f.path);
    std::string burst;
    for (int i = 0; i < 2000; ++i) burst += "{\"id\":" + std::to_string(i) + ",\"cmd\":\"echo\"}\n";
    std::atomic<bool> flooding{true};
    std::thread writer([&] {  // never reads its replies: the server stops reading it
        while (flooding && flooder.send_raw(burst)) {
        }
    });
    const int cycles_before = f.cycles;
    for (int i = 0; i < 20; ++i) {
        const auto reply = calm.call({{"id", i}, {"cmd", "echo"}}, 1s);
        REQUIRE(reply);
        CHECK((*reply)["id"] == i);
    }
    std::this_thread::sleep_for(300ms);    // let the flood run against the timer for a while
    CHECK(f.cycles - cycles_before >= 5);  // kept firing; max_late bounds every gap
    CHECK(f.max_late.load() < kMaxCycleLateness);
    flooding = false;
    flooder.shut_down();
    writer.join();
}

TEST_CASE("watch streams the status at 5 Hz; a client vanishing mid-watch disturbs nobody") {
    ServerFixture f;
    LineClient watcher(f.path);
    LineClient vanisher(f.path);
    LineClient other(f.path);
    REQUIRE(vanisher.send({{"id", 2}, {"cmd", "watch"}}));
    REQUIRE(vanisher.read_json(1s));
    vanisher.close_now();  // gone mid-stream

    REQUIRE(watcher.send({{"id", 1}, {"cmd", "watch"}}));
    const auto first = watcher.read_json(1s);
    REQUIRE(first);
    CHECK((*first)["status"]["state"] == "idle");
    const auto start = std::chrono::steady_clock::now();
    int updates = 0;
    while (std::chrono::steady_clock::now() - start < 1s) {
        const auto update = watcher.read_json(500ms);
        REQUIRE(update);
        CHECK((*update)["id"] == 1);
        CHECK((*update)["status"]["state"] == "idle");
        ++updates;
    }
    CHECK(updates >= 4);
    CHECK(other.call({{"id", 3}, {"cmd", "echo"}}).has_value());
    CHECK(treadmill::testing::wait_until([&] { return f.client_count() == 2; }, 2s));
    CHECK(f.max_late.load() < kMaxCycleLateness);
}

TEST_CASE("a watcher that does not read is dropped, not waited for") {
    api::ServerOptions options;
    options.watch_period = 2ms;
    options.max_queued_bytes = 32 * 1024;
    ServerFixture f(options);
    LineClient slow(f.path);
    LineClient other(f.path);
    REQUIRE(slow.send({{"id", 1}, {"cmd", "watch"}}));
    CHECK(treadmill::testing::wait_until([&] { return f.client_count() == 1; }, 5s));
    CHECK(other.call({{"id", 2}, {"cmd", "echo"}}).has_value());
    CHECK(f.max_late.load() < kMaxCycleLateness);
}

TEST_CASE("a command named in large_reply_commands may pass the queue limit, that reply only") {
    api::ServerOptions options;
    options.max_queued_bytes = 32 * 1024;
    options.large_reply_commands = {{"big", 512 * 1024}};
    ServerFixture f(options);
    LineClient client(f.path);
    const auto big = client.call({{"id", 1}, {"cmd", "big"}, {"bytes", 300 * 1024}});
    REQUIRE(big);
    CHECK((*big)["data"].get<std::string>().size() == 300 * 1024);
    // The same connection's next replies keep the ordinary limit…
    CHECK(client.call({{"id", 2}, {"cmd", "echo"}}).has_value());
    // …and so does a command not named: its reply over the limit drops the client.
    LineClient plain(f.path);
    CHECK_FALSE(plain.call({{"id", 3}, {"cmd", "big_plain"}, {"bytes", 300 * 1024}}).has_value());
    // Over the command's own limit, the client is dropped too.
    LineClient huge(f.path);
    CHECK_FALSE(huge.call({{"id", 4}, {"cmd", "big"}, {"bytes", 600 * 1024}}).has_value());
    CHECK(f.max_late.load() < kMaxCycleLateness);
}

namespace {

// Sends `count` slow requests at once and reads every reply; the cycle timer's worst lateness.
std::chrono::milliseconds flood_of_slow_requests(ServerFixture& f, int count) {
    LineClient client(f.path);
    std::string burst;
    for (int i = 0; i < count; ++i)
        burst += "{\"id\":" + std::to_string(i) + ",\"cmd\":\"slow\"}\n";
    REQUIRE(treadmill::testing::wait_until([&] { return f.cycles.load() >= 1; }, 2s));
    REQUIRE(client.send_raw(burst));
    for (int i = 0; i < count; ++i) {
        const auto reply = client.read_json(10s);
        REQUIRE(reply);
        CHECK((*reply)["id"] == i);
    }
    const int after = f.cycles.load();  // the cycle held up by the last request runs next
    REQUIRE(treadmill::testing::wait_until([&] { return f.cycles.load() >= after + 2; }, 2s));
    return std::chrono::duration_cast<std::chrono::milliseconds>(f.max_late.load());
}

}  // namespace

TEST_CASE(
    "with on_cycle, requests wait out the quiet window: a flood of slow ones delays no cycle") {
    api::ServerOptions options;
    options.quiet_before_cycle = 50ms;
    options.lines_always_allowed = 1;
    // Without the window, one read of 30 pipelined 20 ms requests holds the loop for 600 ms.
    std::chrono::milliseconds unguarded{};
    {
        ServerFixture f(options, 100ms, false);
        unguarded = flood_of_slow_requests(f, 30);
    }
    ServerFixture f(options, 100ms, true);
    const auto guarded = flood_of_slow_requests(f, 30);
    MESSAGE("30 pipelined 20 ms requests: cycle timer late by up to " << unguarded.count()
                                                                      << " ms without the quiet "
                                                                         "window, "
                                                                      << guarded.count()
                                                                      << " ms with it");
    CHECK(unguarded >= 200ms);
    CHECK(guarded < 50ms);
}

TEST_CASE("an idle client is closed after the idle time-out; watchers and busy clients stay") {
    api::ServerOptions options;
    options.idle_timeout = 500ms;
    ServerFixture f(options);
    LineClient idle(f.path);    // never sends
    LineClient quiet(f.path);   // one request, then nothing
    LineClient chatty(f.path);  // a request every 50 ms
    LineClient watcher(f.path);
    REQUIRE(quiet.call({{"id", 1}, {"cmd", "echo"}}));
    REQUIRE(watcher.send({{"id", 2}, {"cmd", "watch"}}));
    REQUIRE(watcher.read_json(1s));
    CHECK_FALSE(idle.wait_eof(100ms));  // not before its time
    const auto start = std::chrono::steady_clock::now();
    int answered = 0;
    while (std::chrono::steady_clock::now() - start < 1500ms) {
        if (chatty.call({{"id", 3}, {"cmd", "echo"}}, 1s)) ++answered;
        std::this_thread::sleep_for(50ms);
    }
    CHECK(idle.wait_eof(1s));
    CHECK(quiet.wait_eof(1s));
    CHECK(answered >= 10);
    CHECK(chatty.call({{"id", 4}, {"cmd", "echo"}}).has_value());
    for (int i = 0; i < 3; ++i) {  // still streaming
        const auto update = watcher.read_json(1s);
        REQUIRE(update);
        CHECK((*update)["id"] == 2);
    }
    CHECK(treadmill::testing::wait_until([&] { return f.client_count() == 2; }, 2s));
    CHECK(f.max_late.load() < kMaxCycleLateness);
}

TEST_CASE(
    "over the client limit a few more are let in, for the stop commands only; the longest idle "
    "of them makes room for a newcomer") {
    api::ServerOptions options;
    options.max_clients = 3;
    options.over_limit_clients = 2;
    options.over_limit_commands = {"stop"};
    ServerFixture f(options);
    std::vector<std::unique_ptr<LineClient>> full;
    for (int i = 0; i < 3; ++i) {
        full.push_back(std::make_unique<LineClient>(f.path));
        REQUIRE(full.back()->call({{"id", i}, {"cmd", "echo"}}).value_or(json())["ok"] == true);
    }
    LineClient first(f.path);
    const auto refused = first.call({{"id", 10}, {"cmd", "echo"}});
    REQUIRE(refused);
    CHECK(error_code(refused) == "refused");
    CHECK((*refused)["id"] == 10);
    CHECK((*refused)["error"]["message"].get<std::string>().find("only use stop") !=
          std::string::npos);
    CHECK(error_code(first.call({{"id", 11}, {"cmd", "watch"}})) == "refused");
    CHECK(first.call({{"id", 12}, {"cmd", "stop"}}).value_or(json())["stopped"] == true);
    std::this_thread::sleep_for(10ms);
    LineClient second(f.path);
    CHECK(second.call({{"id", 13}, {"cmd", "stop"}}).value_or(json())["stopped"] == true);
    CHECK(f.client_count() == 5);
    // Both extra places taken: the newcomer gets the place of the one idle the longest.
    LineClient third(f.path);
    CHECK(third.call({{"id", 14}, {"cmd", "stop"}}).value_or(json())["stopped"] == true);
    CHECK(first.wait_eof(2s));
    CHECK(second.call({{"id", 15}, {"cmd", "stop"}}).value_or(json())["stopped"] == true);
    CHECK(f.client_count() == 5);
    // A full place frees: the next connection may use every command again.
    full.front().reset();
    REQUIRE(treadmill::testing::wait_until([&] { return f.client_count() == 4; }, 2s));
    LineClient next(f.path);
    CHECK(next.call({{"id", 16}, {"cmd", "echo"}}).value_or(json())["ok"] == true);
}

TEST_CASE("a command that answers later keeps the client's replies in order, and others go on") {
    ServerFixture f;
    LineClient client(f.path);
    LineClient other(f.path);
    REQUIRE(
        client.send_raw("{\"id\":1,\"cmd\":\"later\",\"ms\":300}\n{\"id\":2,\"cmd\":\"echo\"}\n"));
    // The loop is free meanwhile: another client is answered before the deferred reply.
    const auto before = std::chrono::steady_clock::now();
    CHECK(other.call({{"id", 9}, {"cmd", "echo"}}).has_value());
    CHECK(std::chrono::steady_clock::now() - before < 250ms);
    const auto first = client.read_json(2s);
    const auto second = client.read_json(2s);
    REQUIRE(first);
    REQUIRE(second);
    CHECK((*first)["id"] == 1);
    CHECK((*first)["later"] == true);
    CHECK((*second)["id"] == 2);
    // A client that vanishes while its reply is pending disturbs nobody.
    {
        LineClient vanisher(f.path);
        REQUIRE(vanisher.send({{"id", 3}, {"cmd", "later"}, {"ms", 100}}));
    }
    std::this_thread::sleep_for(200ms);
    CHECK(other.call({{"id", 10}, {"cmd", "echo"}}).has_value());
    CHECK(treadmill::testing::wait_until([&] { return f.client_count() == 2; }, 2s));
}

namespace {

// The lowest descriptor number that is free now: with RLIMIT_NOFILE there, no new one opens.
rlim_t lowest_free_descriptor() {
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    ::close(fd);
    return static_cast<rlim_t>(fd);
}

}  // namespace

TEST_CASE("an accept error (EMFILE) pauses accepting, is logged once, and recovers") {
    std::mutex mutex;
    std::vector<std::string> logged;
    api::ServerOptions options;
    options.log = [&](const std::string& line) {
        std::lock_guard lock(mutex);
        logged.push_back(line);
    };
    ServerFixture f(options);
    LineClient client(f.path, false);  // its socket exists before the limit drops
    rlimit normal{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &normal) == 0);
    rlimit exhausted = normal;
    exhausted.rlim_cur = lowest_free_descriptor();
    REQUIRE(setrlimit(RLIMIT_NOFILE, &exhausted) == 0);
    const bool connected = client.connect();  // waits in the backlog: accept fails (EMFILE)
    std::this_thread::sleep_for(800ms);
    const auto errors = f.accept_errors();
    REQUIRE(setrlimit(RLIMIT_NOFILE, &normal) == 0);
    REQUIRE(connected);
    MESSAGE(errors << " accept errors in 800 ms without descriptors");
    CHECK(errors >= 1);
    CHECK(errors <= 6);  // 100, 200, 400 ms pauses: not a busy loop
    const auto reply = client.call({{"id", 1}, {"cmd", "echo"}}, 3s);
    CHECK((reply && (*reply)["ok"] == true));
    CHECK(f.max_late.load() < kMaxCycleLateness);
    std::lock_guard lock(mutex);
    REQUIRE(logged.size() == 2);  // the burst, then the recovery
    CHECK(logged[0].find("Too many open files") != std::string::npos);
    CHECK(logged[1].find("accepting API connections again") != std::string::npos);
}

TEST_CASE("a request line that is not valid UTF-8 gets bad_json with the column of the bad byte") {
    ServerFixture f;
    LineClient c(f.path);
    // start {"yaml": …} with "name: Hügel" saved in Latin-1: the ü (0xFC) is byte 38 of the line.
    const std::string line = "{\"id\":1,\"cmd\":\"start\",\"yaml\":\"name: H\xfcgel\"}";
    REQUIRE(c.send_raw(line + "\n"));
    const auto reply = c.read_json(2s);
    REQUIRE(reply);
    CHECK(error_code(reply) == "bad_json");
    CHECK((*reply)["error"]["message"] == "invalid UTF-8 (byte 0xFC) at column 38 of the request");
    CHECK(c.send_raw("\xc0\xaf\n"));  // an overlong '/', alone on its line
    CHECK(error_code(c.read_json(2s)) == "bad_json");
    const auto after = c.call({{"id", 2}, {"cmd", "echo"}});  // the connection goes on
    REQUIRE(after);
    CHECK((*after)["ok"] == true);
    CHECK(f.guarded == 0);
}

TEST_CASE("a request line with a NUL byte gets bad_json with its column, whatever follows it") {
    ServerFixture f;
    LineClient c(f.path);
    // A whole request, then a NUL and bytes a JSON parser that stops at NUL would never see.
    const std::string line = std::string("{\"id\":1,\"cmd\":\"echo\"}") + '\0' + "garbage";
    REQUIRE(c.send_raw(line + "\n"));
    const auto reply = c.read_json(2s);
    REQUIRE(reply);
    CHECK(error_code(reply) == "bad_json");
    CHECK((*reply)["id"].is_null());
    CHECK((*reply)["error"]["message"] == "a NUL byte at column 22 of the request");
    const auto after = c.call({{"id", 2}, {"cmd", "echo"}});  // the connection goes on
    REQUIRE(after);
    CHECK((*after)["ok"] == true);
}

TEST_CASE("watch: a status holding invalid UTF-8 (a Latin-1 program name) streams with U+FFFD") {
    ServerFixture f;
    // The original crash: the status' program name came from a Latin-1 file; the 5 Hz stream
    // encoded it with a throwing dump() and the exception ended the daemon.
    f.table.set_status([] { return json{{"state", "running"}, {"name", "H\xfcgel"}}; });
    LineClient watcher(f.path);
    REQUIRE(watcher.send({{"id", 1}, {"cmd", "watch"}}));
    for (int update = 0; update < 3; ++update) {  // the reply, then two ticks of the stream
        const auto line = watcher.read_line(2s);
        REQUIRE(line);
        const auto status = json::parse(*line, nullptr, false);
        REQUIRE_FALSE(status.is_discarded());
        CHECK(status["status"]["name"] == "H\xef\xbf\xbdgel");
    }
    LineClient other(f.path);
    CHECK(other.call({{"id", 2}, {"cmd", "echo"}}).has_value());
    CHECK(f.guarded == 0);  // replaced, not thrown
}

TEST_CASE("a throw in the watch stream or in a watch request goes to the guard; serving goes on") {
    std::atomic<int> calls{0};  // outlives the fixture's io thread
    ServerFixture f;
    f.table.set_status([&calls]() -> json {
        if (++calls >= 2) throw std::runtime_error("status broke");
        return json{{"state", "idle"}};
    });
    LineClient watcher(f.path);
    REQUIRE(watcher.send({{"id", 1}, {"cmd", "watch"}}));
    REQUIRE(watcher.read_json(2s));  // the first status; the next tick throws
    CHECK(treadmill::testing::wait_until([&] { return f.guarded >= 1; }, 2s));
    LineClient other(f.path);
    const auto refused = other.call({{"id", 2}, {"cmd", "watch"}});
    CHECK(error_code(refused) == "internal");
    CHECK(other.call({{"id", 3}, {"cmd", "echo"}}).has_value());
    CHECK(f.cycles.load() > 0);
}

TEST_CASE(
    "each request's service time is counted under its command, a deferred one until it came") {
    api::RequestTiming timing;
    api::ServerOptions options;
    options.timing = &timing;
    ServerFixture f(options);
    LineClient client(f.path);
    REQUIRE(client.call({{"id", 1}, {"cmd", "echo"}}));
    REQUIRE(client.call({{"id", 2}, {"cmd", "slow"}}));
    REQUIRE(client.call({{"id", 3}, {"cmd", "later"}, {"ms", 100}}));
    REQUIRE(client.send_raw("not json\n"));
    REQUIRE(client.read_json(2s));
    std::promise<json> read;
    asio::post(f.io, [&] { read.set_value(timing.to_json()); });
    const json t = read.get_future().get();
    CAPTURE(t);
    CHECK(t["requests"] == 4);
    CHECK(t["commands"]["echo"]["count"] == 1);
    CHECK(t["commands"]["echo"]["max_ms"].get<double>() < 20);
    CHECK(t["commands"]["slow"]["max_ms"].get<double>() >= 20);    // the handler's 20 ms
    CHECK(t["commands"]["later"]["max_ms"].get<double>() >= 100);  // until the reply came
    CHECK(t["commands"]["invalid"]["count"] == 1);
    CHECK(t["max_ms"] == t["commands"]["later"]["max_ms"]);
    std::uint64_t in_hist = 0;
    for (const auto& n : t["hist"]) in_hist += n.get<std::uint64_t>();
    CHECK(in_hist == 4);
    // `later` in a bucket above 100 ms, the others below it.
    std::uint64_t above_100ms = 0;
    for (std::size_t i = treadmill::latency_bucket(101ms); i < t["hist"].size(); ++i)
        above_100ms += t["hist"][i].get<std::uint64_t>();
    CHECK(above_100ms == 1);
}

TEST_CASE("service times: past kMaxCommands names, requests count as \"other\"") {
    api::RequestTiming timing;
    for (std::size_t i = 0; i < api::RequestTiming::kMaxCommands + 5; ++i)
        timing.record("cmd" + std::to_string(i), 1ms);
    const json t = timing.to_json();
    CHECK(t["commands"].size() == api::RequestTiming::kMaxCommands);
    CHECK(t["commands"]["other"]["count"] == 6);
    CHECK(t["requests"] == api::RequestTiming::kMaxCommands + 5);
}
