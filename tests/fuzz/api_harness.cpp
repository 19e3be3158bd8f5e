#include "tests/fuzz/api_harness.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <boost/asio/buffer.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/write.hpp>

#include "controller/api/client_session.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace treadmill::fuzz {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using controller::State;
using nlohmann::json;

namespace {

constexpr int kIdlePolls = 200;  // polls without progress before a reply counts as missing

api::ServerOptions server_options() {
    api::ServerOptions o;
    o.max_line_bytes = ApiHarness::kMaxLineBytes;
    return o;
}

// The number after a directive's word ("#tick 30" → 30), clamped; `fallback` when absent.
long directive_number(std::string_view line, long lo, long hi, long fallback) {
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) return fallback;
    long value = fallback;
    std::from_chars(line.data() + space + 1, line.data() + line.size(), value);
    return value < lo ? lo : value > hi ? hi : value;
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool known_error_code(const json& code) {
    for (const char* c : {"bad_json", "bad_request", "unknown_command", "bad_value", "refused"})
        if (code == c) return true;
    return false;
}

}  // namespace

ApiHarness::ApiHarness()
    : cycle_(hw_, config_),
      catalog_({}, std::nullopt, programs::MachineLimits{}),
      now_(TimePoint{} + 1000s),
      api_{cycle_, catalog_, [this] { return now_; }, nullptr,
           [] {
               return json{{"cycles", 0}, {"late", 0}, {"max_late_ms", 0.0}};
           }},
      table_(api::make_controller_commands(api_)),
      server_(io_, "/nonexistent/fuzz_api.sock", table_, server_options()),
      client_(io_),
      checker_(config_.limits, config_.time_scale) {
    asio::local::stream_protocol::socket server_end(io_);
    asio::local::connect_pair(client_, server_end);
    client_.non_blocking(true);
    session_ = std::make_shared<api::ClientSession>(std::move(server_end), server_);
    session_->start();
    for (int i = 0; i < 60 && cycle_.state() == State::connecting; ++i) tick(config_.period);
}

ApiHarness::~ApiHarness() {
    session_->shut_down();
    boost::system::error_code ignored;
    client_.close(ignored);
    io_.restart();
    io_.poll();  // the session's pending handlers end with operation_aborted
}

void ApiHarness::feed(std::string_view chunk) {
    if (starts_with(chunk, "#")) {
        if (!chunk.empty() && chunk.back() == '\n') chunk.remove_suffix(1);
        return apply_directive(chunk);
    }
    send(chunk);
    tick(config_.period);  // the next cycle acts on what the commands recorded
}

// #key in|out, #drive N, #incline N (fault codes), #dead, #alive, #runaway, #stall, #clear,
// #tick N (cycles at the period), #late MS (one cycle after MS milliseconds).
void ApiHarness::apply_directive(std::string_view line) {
    if (starts_with(line, "#key"))
        hw_.key_present = line.find("out") == std::string_view::npos;
    else if (starts_with(line, "#drive"))
        hw_.drive_fault = static_cast<std::uint8_t>(directive_number(line, 0, 255, 7));
    else if (starts_with(line, "#incline"))
        hw_.incline_fault = static_cast<std::uint16_t>(directive_number(line, 0, 20, 3));
    else if (starts_with(line, "#dead")) {
        hw_.kill_bus();
        bus_dead_ = true;
    } else if (starts_with(line, "#alive")) {
        hw_.revive_bus();
        bus_dead_ = false;
    } else if (starts_with(line, "#runaway"))
        hw_.runaway = !hw_.runaway;
    else if (starts_with(line, "#stall"))
        hw_.belt_stall = !hw_.belt_stall;
    else if (starts_with(line, "#clear")) {
        hw_.drive_fault = 0;
        hw_.incline_fault = 0;
        hw_.runaway = hw_.belt_stall = false;
    } else if (starts_with(line, "#late"))
        tick(std::chrono::milliseconds(directive_number(line, 1, 5000, 1200)));
    else
        for (long n = directive_number(line, 1, 600, 10); n > 0; --n) tick(config_.period);
}

// Sends the bytes, models the session's framing to know which replies are due, and reads them.
void ApiHarness::send(std::string_view chunk) {
    const std::size_t writes_before = hw_.log().size();
    boost::system::error_code ec;
    asio::write(client_, asio::buffer(chunk.data(), chunk.size()), ec);
    for (const char c : chunk) {
        if (c == '\n') {
            std::string line;
            line.swap(partial_);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (!line.empty()) expect_reply_for(line);
            continue;
        }
        partial_.push_back(c);
        if (partial_.size() > kMaxLineBytes) {
            expected_ids_.push_back(nullptr);  // the "line too long" error, then the close
            closed_ = true;
            break;
        }
    }
    pump_replies();
    require(hw_.log().size() == writes_before, "an API handler called the hardware");
}

// The id a reply must carry: the request's integer id, else null.
void ApiHarness::expect_reply_for(const std::string& line) {
    // A NUL byte makes the line malformed (nlohmann::json alone would stop parsing there).
    if (line.find('\0') != std::string::npos) {
        expected_ids_.push_back(nullptr);
        return;
    }
    const json request = json::parse(line, nullptr, false);
    json id = nullptr;
    if (request.is_object()) {
        const auto it = request.find("id");
        if (it != request.end() && it->is_number_integer()) id = *it;
    }
    expected_ids_.push_back(id);
}

// Runs the session until every reply due has arrived (each checked as it comes).
void ApiHarness::pump_replies() {
    int idle = 0;
    std::array<char, 4096> buffer{};
    while (!expected_ids_.empty() && idle < kIdlePolls) {
        io_.restart();
        std::size_t progress = io_.poll();
        boost::system::error_code ec;
        const std::size_t n = client_.read_some(asio::buffer(buffer), ec);
        if (!ec && n > 0) {
            received_.append(buffer.data(), n);
            progress += n;
            for (std::size_t nl; (nl = received_.find('\n')) != std::string::npos;) {
                check_reply(received_.substr(0, nl));
                received_.erase(0, nl + 1);
            }
        }
        idle = progress == 0 ? idle + 1 : 0;
    }
    require(expected_ids_.empty(), "a request line got no reply");
}

void ApiHarness::check_reply(const std::string& text) {
    static const bool trace = std::getenv("FUZZ_API_TRACE") != nullptr;
    if (trace) std::fprintf(stderr, "reply: %.300s\n", text.c_str());
    require(!expected_ids_.empty(), "a reply that answers no request line");
    const json reply = json::parse(text, nullptr, false);
    require(reply.is_object(), "a reply that is not a JSON object");
    require(reply.contains("ok") && reply["ok"].is_boolean(), "a reply without boolean 'ok'");
    require(reply.contains("id") && reply["id"] == expected_ids_.front(),
            "a reply that does not echo the request's id");
    expected_ids_.pop_front();
    if (reply["ok"] == true) return;
    const json& error = reply["error"];
    require(error.is_object() && error["message"].is_string(), "an error without a message");
    require(known_error_code(error["code"]), "an error code that is unknown or 'internal'");
}

void ApiHarness::finish() {
    pump_replies();
    for (int i = 0; i < 20; ++i) {  // nothing more may arrive
        io_.restart();
        io_.poll();
        std::array<char, 256> buffer{};
        boost::system::error_code ec;
        const std::size_t n = client_.read_some(asio::buffer(buffer), ec);
        require(ec || n == 0, "a reply that answers no request line");
    }
}

// One cycle `dt` after the previous one, its writes checked (as fuzz_supervisor does).
void ApiHarness::tick(Duration dt) {
    now_ += dt;
    checker_.checked_cycle(cycle_, hw_, bus_dead_, now_);
}

}  // namespace treadmill::fuzz
