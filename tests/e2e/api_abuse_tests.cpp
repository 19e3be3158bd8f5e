// The control API under abuse while the real control cycle drives treadmill-sim over Modbus
// TCP with a workout running: bad input of every kind, a 1 MiB line, a flood from a client that
// never reads, 100 concurrent clients and watchers that vanish mid-stream, all at once; and a
// flood of 60 KiB programs to show and start. The daemon's own cycle counter (status.loop) and
// the drive's write record must show that no control cycle was late because of it.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "tests/e2e/e2e_rig.hpp"

using namespace treadmill::e2e;
using treadmill::testing::LineClient;

namespace {

constexpr double kPeriod = 0.1;
const char* const kSteady =
    "schema: treadmill-workout/1\nname: e2e abuse\nsteps:\n  - run: 60 s\n    speed: 6 km/h\n";

std::string error_code(const std::optional<json>& reply) {
    if (!reply || !reply->is_object() || !reply->contains("error")) return "";
    return (*reply)["error"]["code"].get<std::string>();
}

// Each bad request and the error code it must get.
void bad_input(const std::string& socket, std::atomic<int>& answered_right) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"{\"id\":1,", "bad_json"},
        {"not json at all", "bad_json"},
        {"\xff\xfe\xfd", "bad_json"},
        {"[1,2,3]", "bad_request"},
        {"{\"id\":\"x\",\"cmd\":\"status\"}", "bad_request"},
        {"{\"id\":1,\"cmd\":5}", "bad_request"},
        {"{\"id\":1}", "bad_request"},
        {"{\"id\":1,\"cmd\":\"frobnicate\"}", "unknown_command"},
        {"{\"id\":1,\"cmd\":\"speed\",\"value\":12}", "bad_request"},
        {"{\"id\":1,\"cmd\":\"speed\",\"value\":\"fast please\"}", "bad_value"},
        {"{\"id\":1,\"cmd\":\"incline\"}", "bad_request"},
        {"{\"id\":1,\"cmd\":\"start\",\"program\":5}", "bad_request"},
        {"{\"id\":1,\"cmd\":\"start\",\"program\":\"x\",\"pace\":[1]}", "bad_request"},
        {"{\"id\":1,\"cmd\":\"start\",\"yaml\":\"steps: [\"}", "bad_value"},
        {"{\"id\":1,\"cmd\":\"sim\",\"command\":\"key\"}", "refused"},  // no embedded simulator
    };
    LineClient client(socket);
    for (int round = 0; round < 20; ++round) {
        for (const auto& [line, code] : cases) {
            if (!client.send_raw(line + "\n")) return;
            if (error_code(client.read_json(std::chrono::seconds(10))) == code) ++answered_right;
        }
    }
}

// A 1 MiB line without a newline: an error reply, then the connection is closed.
bool one_mebibyte_line(const std::string& socket) {
    LineClient big(socket);
    std::thread writer([&] { big.send_raw(std::string(1 << 20, 'a')); });  // stops at the close
    const auto reply = big.read_json(std::chrono::seconds(10));
    const bool closed = big.wait_eof(std::chrono::seconds(5));
    big.shut_down();
    writer.join();
    return error_code(reply) == "bad_request" && closed;
}

// A client that sends status requests as fast as it can and never reads a reply.
void flood(const std::string& socket, const std::atomic<bool>& go_on) {
    LineClient flooder(socket);
    std::string burst;
    for (int i = 0; i < 500; ++i)
        burst += "{\"id\":" + std::to_string(i) + ",\"cmd\":\"status\"}\n";
    std::thread stopper([&] {
        while (go_on) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        flooder.shut_down();  // wakes a send blocked on the full socket
    });
    while (go_on && flooder.send_raw(burst)) {
    }
    stopper.join();
}

// 100 clients at once, each with 5 pipelined status requests; the number of good replies.
int hundred_clients(const std::string& socket) {
    std::vector<std::unique_ptr<LineClient>> clients;
    for (int i = 0; i < 100; ++i) clients.push_back(std::make_unique<LineClient>(socket));
    for (int i = 0; i < 100; ++i)
        for (int k = 0; k < 5; ++k)
            clients[static_cast<std::size_t>(i)]->send({{"id", i * 10 + k}, {"cmd", "status"}});
    int good = 0;
    for (int i = 0; i < 100; ++i)
        for (int k = 0; k < 5; ++k) {
            const auto r =
                clients[static_cast<std::size_t>(i)]->read_json(std::chrono::seconds(10));
            if (r && (*r)["id"] == i * 10 + k && (*r)["ok"] == true) ++good;
        }
    return good;
}

// Watchers that take a few updates, then vanish: closed unread, or shut down mid-read.
int vanishing_watchers(const std::string& socket) {
    int streamed = 0;
    for (int i = 0; i < 30; ++i) {
        LineClient watcher(socket);
        if (!watcher.send({{"id", i}, {"cmd", "watch"}})) continue;
        if (watcher.read_json(std::chrono::seconds(10))) ++streamed;
        if (i % 3 == 0) watcher.read_json(std::chrono::milliseconds(300));  // one update more
        if (i % 3 == 1) watcher.shut_down();
        // i % 3 == 2: closed with unread updates queued
    }
    return streamed;
}

struct LoopCount {
    std::uint64_t cycles = 0;
    std::uint64_t late = 0;
    double max_late_ms = 0;
};

LoopCount loop_count(const json& status) {
    const auto& l = status["loop"];
    return {l["cycles"].get<std::uint64_t>(), l["late"].get<std::uint64_t>(),
            l["max_late_ms"].get<double>()};
}

// The longest gap between consecutive drive writes in [from, to] (simulator seconds).
double longest_write_gap(const json& state, double from, double to) {
    double previous = -1, longest = 0;
    for (const auto& w : drive_writes(state, from)) {
        if (w.t > to) break;
        if (previous >= 0) longest = std::max(longest, w.t - previous);
        previous = w.t;
    }
    return longest;
}

// treadmill-sim and a daemon running kSteady on it.
struct Running {
    BoardProcess board{Board::sim_tcp};
    std::unique_ptr<DaemonProcess> daemon;

    Running() {
        REQUIRE_MESSAGE(board.ready(), board.log());
        daemon = std::make_unique<DaemonProcess>(tcp_bus(board), "control: {countdown: 1 s}\n");
        REQUIRE_MESSAGE(daemon->wait_idle(), daemon->log());
        const auto started = daemon->start_yaml(kSteady);
        REQUIRE(started);
        REQUIRE_MESSAGE((*started)["ok"] == true, started->dump());
        REQUIRE(t::wait_until([&] { return daemon->state() == "running"; }, 5s));
    }
};

}  // namespace

TEST_CASE(
    "e2e API abuse: bad input, a 1 MiB line, a flood, 100 clients and vanishing watchers do "
    "not make one control cycle late") {
    Running running;
    BoardProcess& board = running.board;
    DaemonProcess& daemon = *running.daemon;
    const std::string socket = daemon.socket();

    const LoopCount before = loop_count(daemon.status());
    const double sim_from = board.wall_s();
    const auto t0 = std::chrono::steady_clock::now();

    std::atomic<bool> flooding{true};
    std::atomic<int> right_codes{0};
    int hundred = 0, watchers = 0;
    bool big_line = false;
    std::thread flooder([&] { flood(socket, flooding); });
    std::thread bad([&] { bad_input(socket, right_codes); });
    std::thread big([&] { big_line = one_mebibyte_line(socket); });
    std::thread many([&] { hundred = hundred_clients(socket); });
    std::thread watch([&] { watchers = vanishing_watchers(socket); });
    // A calm client polls the status throughout; its slowest answer is measured.
    double slowest_status_ms = 0;
    int calm_answers = 0, calm_unanswered = 0;
    LineClient calm(socket);
    while (seconds_since(t0) < 3.0) {
        const auto asked = std::chrono::steady_clock::now();
        const auto reply = calm.call({{"id", 99}, {"cmd", "status"}}, 10s);
        if (reply && (*reply)["ok"] == true)
            ++calm_answers;
        else
            ++calm_unanswered;
        slowest_status_ms = std::max(slowest_status_ms, seconds_since(asked) * 1000);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    bad.join();
    big.join();
    many.join();
    watch.join();
    flooding = false;
    flooder.join();
    const double abuse_s = seconds_since(t0);

    const json after_status = daemon.status();
    const LoopCount after = loop_count(after_status);
    const double sim_to = board.wall_s();
    const double gap = longest_write_gap(board.state(), sim_from, sim_to);
    const auto cycles = after.cycles - before.cycles;
    MESSAGE("API abuse for " << abuse_s << " s: " << cycles << " cycles (" << abuse_s / kPeriod
                             << " due), late " << before.late << " -> " << after.late
                             << ", max_late " << after.max_late_ms
                             << " ms (whole run); longest gap between drive writes " << gap * 1000
                             << " ms; slowest calm status reply " << slowest_status_ms
                             << " ms; right error codes " << right_codes.load() << "/300");
    CHECK(after.late == before.late);
    CHECK(static_cast<double>(cycles) >= abuse_s / kPeriod - 2);
    CHECK(gap < 2 * kPeriod);  // no cycle missing on the wire
    CHECK(right_codes.load() == 300);
    CHECK(big_line);
    CHECK(hundred == 500);
    CHECK(watchers == 30);
    CHECK(calm_unanswered == 0);
    CHECK(calm_answers >= 3);
    CHECK(after_status["state"] == "running");
    CHECK(after_status["fault"].is_null());
}

namespace {

// A valid program of about `bytes` bytes: many short steps, each with its own speed and incline.
std::string big_program(std::size_t bytes) {
    std::string yaml = "schema: treadmill-workout/1\nname: big\nsteps:\n";
    for (int i = 0; yaml.size() < bytes; ++i) {
        yaml += "  - run: 5 s\n    speed: " + std::to_string(6 + i % 50 / 10) + "." +
                std::to_string(i % 10) + " km/h\n    incline: " + std::to_string(i % 10) + "%\n";
    }
    return yaml;
}

// Sends `count` show/start requests with the program, two at a time in flight; the number of
// replies that came as expected (show: the program; start: refused, a workout runs).
int program_flood(const std::string& socket, const std::string& yaml, int count) {
    LineClient client(socket);
    const std::string show = json{{"id", 1}, {"cmd", "show"}, {"yaml", yaml}}.dump() + "\n";
    const std::string start = json{{"id", 2}, {"cmd", "start"}, {"yaml", yaml}}.dump() + "\n";
    int right = 0;
    for (int i = 0; i < count; i += 2) {
        if (!client.send_raw(show + start)) break;
        const auto shown = client.read_json(std::chrono::seconds(30));
        const auto started = client.read_json(std::chrono::seconds(30));
        if (shown && (*shown)["id"] == 1 && (*shown)["ok"] == true &&
            (*shown)["program"]["steps"].size() > 1000)
            ++right;
        if (started && (*started)["id"] == 2 && error_code(started) == "refused") ++right;
    }
    return right;
}

}  // namespace

TEST_CASE("e2e: a flood of show and start with 60 KiB programs does not make one cycle late") {
    Running running;
    BoardProcess& board = running.board;
    DaemonProcess& daemon = *running.daemon;
    const std::string socket = daemon.socket();
    const std::string yaml = big_program(60 * 1024);
    REQUIRE(yaml.size() < 64 * 1024 - 100);  // the request fits one line

    const LoopCount before = loop_count(daemon.status());
    const double sim_from = board.wall_s();
    const auto t0 = std::chrono::steady_clock::now();
    constexpr int kClients = 4, kRequests = 16;
    std::vector<int> right(kClients, 0);
    std::vector<std::thread> flooders;
    for (int c = 0; c < kClients; ++c)
        flooders.emplace_back([&, c] {
            right[static_cast<std::size_t>(c)] = program_flood(socket, yaml, kRequests);
        });
    for (auto& f : flooders) f.join();
    const double flood_s = seconds_since(t0);

    const json after_status = daemon.status();
    const LoopCount after = loop_count(after_status);
    const double gap = longest_write_gap(board.state(), sim_from, board.wall_s());
    int all_right = 0;
    for (const int r : right) all_right += r;
    MESSAGE((kClients * kRequests)
            << " show/start requests with a " << yaml.size() / 1024 << " KiB program in " << flood_s
            << " s: late " << before.late << " -> " << after.late << ", max_late "
            << after.max_late_ms << " ms (whole run); longest gap between drive writes "
            << gap * 1000 << " ms");
    CHECK(all_right == kClients * kRequests);
    CHECK(after.late == before.late);
    CHECK(gap < 2 * kPeriod);
    CHECK(after_status["state"] == "running");
    CHECK(after_status["fault"].is_null());
}
