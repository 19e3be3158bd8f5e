// The pairing commands over the real Unix socket: the API server, the command table and the
// worker that writes the pairing file, on an io_context thread like the daemon's.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <future>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "controller/api/off_loop_worker.hpp"
#include "controller/api/pairing_commands.hpp"
#include "controller/api/pairing_file.hpp"
#include "controller/api/server.hpp"
#include "tests/daemon/line_client.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using treadmill::testing::LineClient;
namespace api = treadmill::api;
namespace asio = boost::asio;

namespace {

// A server with the pairing commands, its store loaded from `file` as the daemon does.
struct PairingServer {
    explicit PairingServer(std::string file_, std::string dir)
        : file(std::move(file_)),
          path(dir + "/control.sock"),
          api_{store,
               file,
               [] { return treadmill::SteadyClock::now(); },
               [] { return std::chrono::system_clock::now(); },
               &worker,
               {}},
          server(io, path, table, {}) {
        store.set_devices(api::load_pairing_file(file).devices);
        api::add_pairing_commands(table, api_);
        auto opened = server.open();
        REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error()));
        thread = std::thread([this] { io.run(); });
    }
    ~PairingServer() {
        asio::post(io, [this] {
            server.close();
            worker.stop();
        });
        thread.join();
    }

    std::string file;
    std::string path;
    asio::io_context io;
    api::OffLoopWorker worker{io};
    api::PairingStore store;
    api::PairingApi api_;
    api::CommandTable table;
    api::ApiServer server;
    std::thread thread;
};

json call(LineClient& c, json request) {
    request["id"] = 1;
    const auto reply = c.call(request, 5s);
    REQUIRE(reply);
    return *reply;
}

std::string error_code(const json& reply) {
    return reply["ok"] == false ? reply["error"]["code"].get<std::string>() : "ok";
}

}  // namespace

TEST_CASE("issue, redeem, check, list and revoke over the socket; the file follows, 0600") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const std::string file = dir + "/pairing.json";
    std::string token, device_id;
    {
        PairingServer s(file, dir);
        LineClient c(s.path);
        const json issued = call(c, {{"cmd", "pair_issue"}});
        REQUIRE(issued["ok"] == true);
        CHECK(issued["role"] == "runner");
        CHECK(issued["expires_s"] == 120);
        const std::string pin = issued["pin"];
        CHECK(pin.size() == 6);

        const json paired =
            call(c, {{"cmd", "pair_redeem"}, {"pin", pin}, {"device", "Tablet by the belt"}});
        REQUIRE(paired["ok"] == true);
        token = paired["token"];
        device_id = paired["device_id"];
        CHECK(token.size() == 43);
        CHECK(paired["role"] == "runner");
        // Answered after the write: the file is there, 0600, with the hash and not the token.
        struct stat st {};
        REQUIRE(::stat(file.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
        const std::string text = treadmill::testing::read_file(file);
        CHECK(text.find(token) == std::string::npos);
        CHECK(text.find(api::sha256_hex(token)) != std::string::npos);

        CHECK(error_code(call(c, {{"cmd", "pair_redeem"}, {"pin", pin}})) == "refused");
        const json checked = call(c, {{"cmd", "pair_check"}, {"token", token}});
        REQUIRE(checked["ok"] == true);
        CHECK(checked["device_id"] == device_id);
        CHECK(checked["device"] == "Tablet by the belt");
        CHECK(checked["role"] == "runner");

        const json viewer = call(c, {{"cmd", "pair_issue"}, {"role", "viewer"}});
        CHECK(viewer["role"] == "viewer");
        const json coach =
            call(c, {{"cmd", "pair_redeem"}, {"pin", viewer["pin"]}, {"device", "Coach"}});
        CHECK(coach["role"] == "viewer");

        const json listed = call(c, {{"cmd", "pair_list"}});
        REQUIRE(listed["devices"].size() == 2);
        CHECK(listed["devices"][0]["device_id"] == device_id);
        CHECK(listed["devices"][0]["paired_utc"].get<std::string>().size() == 24);
        CHECK(listed["devices"][0].count("token") == 0);
        CHECK(listed["devices"][0].count("token_sha256") == 0);

        CHECK(error_code(call(c, {{"cmd", "pair_revoke"}, {"device_id", coach["device_id"]}})) ==
              "ok");
        CHECK(error_code(call(c, {{"cmd", "pair_check"}, {"token", coach["token"]}})) == "refused");
        CHECK(call(c, {{"cmd", "pair_list"}})["devices"].size() == 1);
        CHECK(treadmill::testing::read_file(file).find(coach["device_id"].get<std::string>()) ==
              std::string::npos);
    }
    // A restart: the remaining token still checks; the revoked one does not come back.
    PairingServer again(file, dir);
    LineClient c(again.path);
    const json checked = call(c, {{"cmd", "pair_check"}, {"token", token}});
    CHECK(checked["ok"] == true);
    CHECK(checked["device_id"] == device_id);
    CHECK(call(c, {{"cmd", "pair_list"}})["devices"].size() == 1);
    std::filesystem::remove_all(dir);
}

TEST_CASE("the pairing commands' failures: bad arguments, wrong PINs, the limit, unknown ids") {
    const std::string dir = treadmill::testing::make_temp_dir();
    PairingServer s(dir + "/pairing.json", dir);
    LineClient c(s.path);
    CHECK(error_code(call(c, {{"cmd", "pair_issue"}, {"role", "admin"}})) == "bad_value");
    CHECK(error_code(call(c, {{"cmd", "pair_issue"}, {"role", 1}})) == "bad_request");
    CHECK(error_code(call(c, {{"cmd", "pair_redeem"}})) == "bad_request");
    CHECK(error_code(call(c, {{"cmd", "pair_check"}})) == "bad_request");
    CHECK(error_code(call(c, {{"cmd", "pair_check"}, {"token", "nope"}})) == "refused");
    CHECK(error_code(call(c, {{"cmd", "pair_revoke"}, {"device_id", "d-12345678"}})) ==
          "bad_value");
    const std::string pin = call(c, {{"cmd", "pair_issue"}})["pin"];
    CHECK(error_code(
              call(c, {{"cmd", "pair_redeem"}, {"pin", pin}, {"device", std::string(65, 'x')}})) ==
          "bad_value");
    const std::string wrong = pin == "000000" ? "000001" : "000000";
    for (int i = 0; i < 5; ++i) {
        const json r = call(c, {{"cmd", "pair_redeem"}, {"pin", wrong}});
        CHECK(r["error"]["message"] == "wrong or expired PIN");
    }
    const json locked = call(c, {{"cmd", "pair_redeem"}, {"pin", pin}});
    CHECK(error_code(locked) == "refused");
    CHECK(locked["error"]["message"].get<std::string>().find(
              "too many PIN attempts; try again in") == 0);
    CHECK(call(c, {{"cmd", "pair_list"}})["devices"].empty());
    std::filesystem::remove_all(dir);
}

TEST_CASE("a pairing that cannot be written is not handed out") {
    const std::string dir = treadmill::testing::make_temp_dir();
    PairingServer s(dir + "/missing/pairing.json", dir);
    LineClient c(s.path);
    const std::string pin = call(c, {{"cmd", "pair_issue"}})["pin"];
    const json r = call(c, {{"cmd", "pair_redeem"}, {"pin", pin}});
    CHECK(error_code(r) == "internal");
    CHECK(r["error"]["message"].get<std::string>().find("cannot save the pairing") == 0);
    CHECK(call(c, {{"cmd", "pair_list"}})["devices"].empty());
    std::filesystem::remove_all(dir);
}
