// The original crash path, belt and braces: a running session whose program name and cue hold
// Latin-1 bytes (they got past the loaders: here the timeline is built by hand) is watched
// through the real API server, the real controller commands and the real status encoding.
// Before, the 5 Hz stream's dump() threw and the exception ended the daemon; now the bad bytes
// arrive as U+FFFD. The server has no guard here, so any exception would escape io.run().
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "controller/api/controller_commands.hpp"
#include "controller/api/server.hpp"
#include "tests/controller/rig.hpp"
#include "tests/daemon/line_client.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
namespace api = treadmill::api;
namespace t = treadmill::testing;

TEST_CASE("watch: a session whose program name and cue hold Latin-1 bytes streams U+FFFD") {
    t::Rig rig;
    auto timeline = t::make_timeline({{600, 10.0}});
    timeline.name = "H\xfcgel";                 // "Hügel" from a file saved in Latin-1
    timeline.steps[0].cue = "5 \xb0 Steigung";  // a degree sign, Latin-1
    rig.start(std::move(timeline));
    REQUIRE(rig.cycle.state() == t::State::running);

    api::ProgramCatalog catalog({}, std::nullopt, {});
    const api::ControllerApi controller{
        rig.cycle, catalog, [&rig] { return rig.now; }, nullptr, {}};
    api::CommandTable commands = api::make_controller_commands(controller);
    boost::asio::io_context io;
    const std::string path = t::make_temp_dir() + "/control.sock";
    api::ApiServer server(io, path, commands);
    REQUIRE(server.open().ok());
    std::string escaped;
    std::thread loop([&] {
        try {
            io.run();
        } catch (const std::exception& e) {
            escaped = e.what();
        }
    });

    t::LineClient watcher(path);
    REQUIRE(watcher.send({{"id", 1}, {"cmd", "watch"}}));
    for (int line = 0; line < 3; ++line) {  // the reply, then two ticks of the 5 Hz stream
        const auto reply = watcher.read_json(2s);
        REQUIRE_MESSAGE(reply, "escaped: " << escaped);
        const json& status = (*reply)["status"];
        CHECK(status["state"] == "running");
        CHECK(status["program"]["name"] == "H\xef\xbf\xbdgel");
        CHECK(status["step"]["cue"] == "5 \xef\xbf\xbd Steigung");
    }
    t::LineClient other(path);
    const auto answered = other.call({{"id", 2}, {"cmd", "status"}});
    REQUIRE(answered);
    CHECK((*answered)["ok"] == true);

    boost::asio::post(io, [&] { server.close(); });
    loop.join();
    CHECK(escaped.empty());
}
