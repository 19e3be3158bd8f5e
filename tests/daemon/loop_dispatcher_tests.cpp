// The API server on its own thread with LoopDispatcher in front of a command table: `status` is
// answered from the snapshot while the loop's io_context runs nothing at all; every other
// command waits for the loop, runs on the loop's thread, and its reply comes back; a client
// gone before its reply, a command that throws and a closed dispatcher. The loop's io_context
// is run by the test thread, step by step, so "the loop is busy" is a fact here, not a timing.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "controller/api/api_thread.hpp"
#include "controller/api/loop_dispatcher.hpp"
#include "controller/api/server.hpp"
#include "controller/api/status_snapshot.hpp"
#include "tests/daemon/line_client.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using treadmill::testing::LineClient;
namespace api = treadmill::api;
namespace asio = boost::asio;

namespace {

struct Fixture {
    Fixture() {
        table.add("stop", [this](const json&) {
            ++stops;
            stop_thread = std::this_thread::get_id();
            return api::Reply(json::object());
        });
        // Answers on a later turn of the loop, as a command whose work runs on the worker.
        table.add_deferred("later", [this](const json&, api::Respond respond) {
            asio::post(loop, [respond] { respond(json{{"later", true}}); });
        });
        table.add("boom", [](const json&) -> api::Reply { throw std::runtime_error("boom"); });
        snapshot.publish({{"state", "running"}});
        dispatcher = std::make_unique<api::LoopDispatcher>(
            loop, api_thread.io(), table, snapshot,
            treadmill::CallbackGuard(
                [this](const char* where, const char*) { faults.emplace_back(where); }),
            treadmill::CallbackGuard([](const char*, const char*) {}), [this] {
                snapshot.publish({{"state", stops > 0 ? "stopping" : "running"}});
            });
        server = std::make_unique<api::ApiServer>(api_thread.io(), path, *dispatcher);
        REQUIRE(server->open());
        api_thread.start();
    }
    ~Fixture() {
        api_thread.stop([this] { server->close(); });
    }

    // Runs the loop's ready handlers, on this thread, until `done` (true) or 5 s passed.
    bool run_loop_until(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (std::chrono::steady_clock::now() < deadline) {
            loop.restart();
            loop.poll();
            if (done()) return true;
            std::this_thread::sleep_for(1ms);
        }
        return false;
    }
    // Runs the loop until `client` has a reply line; that reply.
    std::optional<json> reply_with_loop(LineClient& client) {
        std::optional<json> reply;
        run_loop_until([&] { return (reply = client.read_json(10ms)).has_value(); });
        return reply;
    }

    std::string path = treadmill::testing::make_temp_dir() + "/control.sock";
    asio::io_context loop;  // the control loop's: run only by run_loop_until()
    api::ApiThread api_thread;
    api::StatusSnapshot snapshot;
    api::CommandTable table;
    int stops = 0;  // the loop's (this thread's)
    std::thread::id stop_thread;
    std::vector<std::string> faults;
    std::unique_ptr<api::LoopDispatcher> dispatcher;
    std::unique_ptr<api::ApiServer> server;
};

}  // namespace

TEST_CASE("status and watch are answered while the loop runs nothing") {
    Fixture f;
    LineClient client(f.path);
    const auto reply = client.call({{"id", 1}, {"cmd", "status"}}, 5s);
    REQUIRE(reply);
    CHECK((*reply)["ok"] == true);
    CHECK((*reply)["status"]["state"] == "running");
    LineClient watcher(f.path);
    const auto first = watcher.call({{"id", 2}, {"cmd", "watch"}}, 5s);
    REQUIRE(first);
    CHECK((*first)["status"]["state"] == "running");
    const auto streamed = watcher.read_json(5s);  // the 200 ms stream, from the snapshot
    REQUIRE(streamed);
    CHECK((*streamed)["id"] == 2);
    CHECK((*streamed)["status"]["state"] == "running");
}

TEST_CASE("a command waits for the loop, runs on its thread, and its reply comes back") {
    Fixture f;
    LineClient client(f.path);
    REQUIRE(client.send({{"id", 1}, {"cmd", "stop"}}));
    LineClient other(f.path);
    const auto during = other.call({{"id", 2}, {"cmd", "status"}}, 5s);  // served meanwhile
    REQUIRE(during);
    CHECK((*during)["status"]["state"] == "running");
    CHECK(f.stops == 0);
    const auto stopped = f.reply_with_loop(client);  // the loop's first turn runs it
    REQUIRE(stopped);
    CHECK((*stopped)["id"] == 1);
    CHECK((*stopped)["ok"] == true);
    CHECK(f.stops == 1);
    CHECK(f.stop_thread == std::this_thread::get_id());
    // The snapshot was published before the reply was sent.
    const auto after = other.call({{"id", 3}, {"cmd", "status"}}, 5s);
    REQUIRE(after);
    CHECK((*after)["status"]["state"] == "stopping");
    // A command that answers on a later turn of the loop.
    REQUIRE(client.send({{"id", 4}, {"cmd", "later"}}));
    const auto later = f.reply_with_loop(client);
    REQUIRE(later);
    CHECK((*later)["later"] == true);
}

TEST_CASE("a client that closes while its commands wait for the loop harms nothing") {
    Fixture f;
    {
        LineClient gone(f.path);
        REQUIRE(gone.send({{"id", 1}, {"cmd", "later"}}));
        LineClient gone_too(f.path);
        REQUIRE(gone_too.send({{"id", 2}, {"cmd", "stop"}}));
    }
    CHECK(f.run_loop_until([&] { return f.stops == 1; }));  // both commands reached the loop
    f.run_loop_until([] { return false; });                 // and their replies went back
    LineClient client(f.path);
    REQUIRE(client.send({{"id", 3}, {"cmd", "stop"}}));
    const auto reply = f.reply_with_loop(client);
    REQUIRE(reply);
    CHECK((*reply)["ok"] == true);
    CHECK(f.stops == 2);
}

TEST_CASE("a command that throws on the loop: an `internal` reply, the loop's guard told") {
    Fixture f;
    LineClient client(f.path);
    REQUIRE(client.send({{"id", 1}, {"cmd", "boom"}}));
    const auto reply = f.reply_with_loop(client);
    REQUIRE(reply);
    CHECK((*reply)["ok"] == false);
    CHECK((*reply)["error"]["code"] == "internal");
    REQUIRE(f.faults.size() == 1);
    CHECK(f.faults[0] == "an API request");
}

TEST_CASE("once closed (shutting down), a command that reaches the loop is refused, not run") {
    Fixture f;
    f.dispatcher->close();
    LineClient client(f.path);
    REQUIRE(client.send({{"id", 1}, {"cmd", "stop"}}));
    const auto reply = f.reply_with_loop(client);
    REQUIRE(reply);
    CHECK((*reply)["error"]["code"] == "refused");
    CHECK(f.stops == 0);
    const auto status = client.call({{"id", 2}, {"cmd", "status"}}, 5s);
    REQUIRE(status);
    CHECK((*status)["ok"] == true);
}
