// The fuzz_api_requests harness: a ClientSession of the real API server on one end of an
// in-process socket pair, the real controller command table behind it, a ControlCycle over the
// FakeTreadmill, and the checks on the replies and on the writes.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <nlohmann/json.hpp>

#include "controller/api/controller_commands.hpp"
#include "controller/api/program_catalog.hpp"
#include "controller/api/server.hpp"
#include "controller/control_cycle.hpp"
#include "tests/controller/fake_treadmill.hpp"
#include "tests/fuzz/write_checker.hpp"

namespace treadmill::api {
class ClientSession;
}

namespace treadmill::fuzz {

class ApiHarness {
  public:
    static constexpr std::size_t kMaxLineBytes = 512;  // small, so inputs reach the limit

    ApiHarness();
    ~ApiHarness();
    ApiHarness(const ApiHarness&) = delete;
    ApiHarness& operator=(const ApiHarness&) = delete;

    // One chunk of input: a line with its '\n' (or the unterminated rest).
    void feed(std::string_view chunk);
    // Drains the replies still due and checks that none is extra.
    void finish();
    // The session closed the connection (after an over-long line).
    bool closed() const { return closed_; }

  private:
    void apply_directive(std::string_view line);
    void send(std::string_view chunk);
    void expect_reply_for(const std::string& line);
    void pump_replies();
    void check_reply(const std::string& text);
    void tick(Duration dt);

    testing::FakeTreadmill hw_;
    controller::ControlConfig config_;
    controller::ControlCycle cycle_;
    api::ProgramCatalog catalog_;
    TimePoint now_;
    api::ControllerApi api_;
    api::CommandTable table_;
    boost::asio::io_context io_;
    api::ApiServer server_;
    boost::asio::local::stream_protocol::socket client_;
    std::shared_ptr<api::ClientSession> session_;
    WriteChecker checker_;
    bool bus_dead_ = false;

    std::string partial_;                      // the model of the session's unfinished line
    std::deque<nlohmann::json> expected_ids_;  // the id each reply still due must carry
    std::string received_;                     // reply bytes not yet split into lines
    bool closed_ = false;
};

}  // namespace treadmill::fuzz
