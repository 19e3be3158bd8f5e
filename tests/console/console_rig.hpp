// A real treadmilld on its embedded simulator and a real treadmill-console in front of it,
// each a child process with its files in one temp dir, plus a Beast HTTP/WebSocket client.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "common/json_text.hpp"
#include "tests/daemon/line_client.hpp"
#include "tests/support/test_support.hpp"

namespace treadmill::console_test {

namespace t = treadmill::testing;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using nlohmann::json;
using namespace std::chrono_literals;

// One HTTP request to the console; the response (status 0 when the connection failed).
inline http::response<http::string_body> http_request(std::uint16_t port,
                                                      http::request<http::string_body> req) {
    asio::io_context io;
    tcp::socket s(io);
    beast::error_code ec;
    s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    http::response<http::string_body> res;
    if (ec) return res;
    req.prepare_payload();
    http::write(s, req, ec);
    beast::flat_buffer buf;
    if (!ec) http::read(s, buf, res, ec);
    return res;
}

// treadmilld (embedded simulator, time-scaled) and treadmill-console, in one temp dir.
class ConsoleRig {
  public:
    // `before_daemon` gets the history database's path before treadmilld opens it (to record
    // sessions into it).
    explicit ConsoleRig(const std::string& console_yaml = {},
                        const std::function<void(const std::string&)>& before_daemon = {}) {
        std::ofstream(dir_ + "/treadmilld.yaml")
            << "bus: {transport: sim}\n"
            << t::state_in(dir_) << "programs: {dirs: [" << dir_ << "]}\n";
        std::ofstream(dir_ + "/console.yaml") << console_yaml;
        if (before_daemon) before_daemon(history_db());
        start_daemon();
        console_ = std::make_unique<t::ChildProcess>(
            std::vector<std::string>{TREADMILL_CONSOLE_BIN, "--config", dir_ + "/console.yaml",
                                     "--listen", "127.0.0.1:0", "--socket", socket_},
            dir_ + "/console.log");
    }
    ~ConsoleRig() {
        console_.reset();
        daemon_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    void start_daemon() {
        daemon_ = std::make_unique<t::ChildProcess>(
            std::vector<std::string>{TREADMILLD_BIN, "--config", dir_ + "/treadmilld.yaml",
                                     "--socket", socket_, "--time-scale", "20"},
            dir_ + "/daemon.log");
    }
    void kill_daemon() { daemon_.reset(); }
    pid_t daemon_pid() const { return daemon_ ? daemon_->pid() : -1; }
    pid_t console_pid() const { return console_ ? console_->pid() : -1; }

    // Waits for the daemon's idle state, the console's "listening on" line and its command
    // link (an unknown token is then 401, not 503).
    bool ready() {
        const bool idle = t::wait_until([&] { return state() == "idle"; }, 15s);
        const bool listening = t::wait_until([&] { return port() != 0; }, 10s);
        return idle && listening && console_linked();
    }
    bool console_linked() {
        return t::wait_until(
            [&] {
                http::request<http::string_body> req{http::verb::get, "/api/me", 11};
                req.set(http::field::host, host());
                req.set(http::field::cookie, "treadmill_token=probe");
                return http_request(port(), req).result_int() == 401;
            },
            10s);
    }
    std::uint16_t port() {
        const std::string log = t::read_file(dir_ + "/console.log");
        const auto at = log.find("listening on http://127.0.0.1:");
        if (at == std::string::npos) return 0;
        return static_cast<std::uint16_t>(std::stoi(log.substr(at + 30)));
    }
    std::string host() { return "127.0.0.1:" + std::to_string(port()); }
    std::string origin() { return "http://" + host(); }

    std::optional<json> call(const json& request) {
        t::LineClient c(socket_);
        if (!c.connected()) return std::nullopt;
        return c.call(request, 5s);
    }
    json status() {
        auto r = call({{"id", 1}, {"cmd", "status"}});
        return r && r->contains("status") ? (*r)["status"] : json{};
    }
    std::string state() {
        const auto s = status();
        return s.is_object() && s["state"].is_string() ? s["state"].get<std::string>() : "";
    }
    // A fresh PIN from the daemon.
    std::string pin(const std::string& role = "runner") {
        auto r = call({{"id", 1}, {"cmd", "pair_issue"}, {"role", role}});
        return r && r->value("ok", false) ? (*r)["pin"].get<std::string>() : "";
    }
    // A token redeemed directly with the daemon (the console's POST is tested on its own).
    std::string token(const std::string& role = "runner") {
        auto r = call({{"id", 1}, {"cmd", "pair_redeem"}, {"pin", pin(role)}, {"device", role}});
        return r && r->value("ok", false) ? (*r)["token"].get<std::string>() : "";
    }
    std::string history_db() const { return dir_ + "/history.db"; }
    std::string console_log() { return t::read_file(dir_ + "/console.log"); }
    std::string daemon_log() { return t::read_file(dir_ + "/daemon.log"); }

  private:
    std::string dir_ = t::make_temp_dir();
    std::string socket_ = dir_ + "/api.sock";
    std::unique_ptr<t::ChildProcess> daemon_;
    std::unique_ptr<t::ChildProcess> console_;
};

// The status of a WebSocket upgrade request with these headers ("" leaves one out).
inline int upgrade_status(std::uint16_t port, const std::string& origin, const std::string& host,
                          const std::string& token) {
    http::request<http::string_body> req{http::verb::get, "/ws", 11};
    req.set(http::field::host, host);
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::sec_websocket_version, "13");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    if (!origin.empty()) req.set(http::field::origin, origin);
    if (!token.empty()) req.set(http::field::cookie, "treadmill_token=" + token);
    return static_cast<int>(http_request(port, req).result_int());
}

// A page's WebSocket: the upgrade's status, then JSON messages with time-outs.
class WsClient {
  public:
    // Upgrades with the given Origin, Host and token cookie ("" leaves a header out).
    // `receive_buffer` > 0 sets a small SO_RCVBUF first (a page that stops reading).
    WsClient(std::uint16_t port, const std::string& origin, const std::string& host,
             const std::string& token, int receive_buffer = 0)
        : ws_(io_) {
        beast::error_code ec;
        auto& socket = beast::get_lowest_layer(ws_);
        socket.open(tcp::v4(), ec);
        if (receive_buffer > 0)
            socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer), ec);
        socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
        if (ec) return;
        ws_.set_option(websocket::stream_base::decorator([=](websocket::request_type& req) {
            if (!origin.empty()) req.set(http::field::origin, origin);
            if (!token.empty()) req.set(http::field::cookie, "treadmill_token=" + token);
        }));
        websocket::response_type res;
        ws_.handshake(res, host, "/ws", ec);
        open_ = !ec;
        upgrade_status_ = open_ ? 101 : 0;  // a refusal's status: upgrade_status() below
        if (ec) error_ = ec.message();
    }
    int upgrade_status() const { return upgrade_status_; }
    const std::string& error() const { return error_; }
    bool open() const { return open_; }

    // The next message, nullopt on time-out or close.
    std::optional<json> read(std::chrono::milliseconds timeout) {
        if (!open_) return std::nullopt;
        beast::flat_buffer buf;
        std::optional<beast::error_code> done;
        ws_.async_read(buf, [&](beast::error_code ec, std::size_t) { done = ec; });
        io_.restart();
        io_.run_for(timeout);
        if (!done) {
            beast::error_code ignored;
            beast::get_lowest_layer(ws_).cancel(ignored);
            io_.restart();
            io_.run();
            open_ = false;  // a cancelled read leaves the stream unusable
            return std::nullopt;
        }
        if (*done) {
            open_ = false;
            return std::nullopt;
        }
        return json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    }
    // The next message with "t" == kind (others are skipped), within `timeout`.
    std::optional<json> next(const std::string& kind, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return std::nullopt;
            auto m = read(left);
            if (!m) return std::nullopt;
            if (m->value("t", "") == kind) return m;
        }
    }
    void send(const json& message) {
        beast::error_code ec;
        ws_.text(true);
        ws_.write(asio::buffer(treadmill::json_text(message)), ec);
    }
    // Sends a request and waits for its reply's "msg".
    std::optional<json> call(json request, std::chrono::milliseconds timeout = 5s) {
        const int id = next_id_++;
        request["id"] = id;
        send(request);
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            auto m = next("reply", left);
            if (!m) return std::nullopt;
            if ((*m)["id"] == id) return (*m)["msg"];
        }
    }

  private:
    asio::io_context io_;
    websocket::stream<tcp::socket> ws_;
    int upgrade_status_ = 0;
    std::string error_;
    bool open_ = false;
    int next_id_ = 1;
};

}  // namespace treadmill::console_test
