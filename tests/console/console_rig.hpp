// A real treadmilld on its embedded simulator and a real treadmill-console in front of it,
// each a child process with its files in one temp dir, plus a Beast HTTP/WebSocket client over
// plain TCP or TLS (with a throwaway certificate made by the openssl CLI).
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
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
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using nlohmann::json;
using namespace std::chrono_literals;

struct TestCertificate {
    std::string certificate;  // PEM files
    std::string key;
};

// A throwaway self-signed certificate for 127.0.0.1 and localhost (P-256, two days), made in
// `dir` by the openssl CLI; empty names when openssl failed.
inline TestCertificate make_test_certificate(const std::string& dir,
                                             const std::string& name = "console") {
    const TestCertificate files{dir + "/" + name + ".crt", dir + "/" + name + ".key"};
    const auto made = t::run_command(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=treadmill-console test", "-addext",
         "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", files.key, "-out",
         files.certificate},
        20s);
    if (made.exit_code != 0) return {};
    return files;
}

// A client context that trusts `ca_file` only and checks that the server is 127.0.0.1.
inline ssl::context tls_client_context(const std::string& ca_file) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file(ca_file);
    ctx.set_verify_mode(ssl::verify_peer);
    ctx.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    return ctx;
}

// Writes `req` on a connected `stream` and reads the reply into `res` (left as it is, status 0,
// when either fails).
template <class Stream>
http::response<http::string_body> exchange(Stream& stream, http::request<http::string_body> req,
                                           http::response<http::string_body> res) {
    beast::error_code ec;
    req.prepare_payload();
    http::write(stream, req, ec);
    beast::flat_buffer buf;
    if (!ec) http::read(stream, buf, res, ec);
    return res;
}

// One HTTP request to the console; the response (status 0 when the connection failed).
inline http::response<http::string_body> http_request(std::uint16_t port,
                                                      http::request<http::string_body> req) {
    asio::io_context io;
    tcp::socket s(io);
    beast::error_code ec;
    s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    http::response<http::string_body> res;
    res.result(0u);  // a default response says 200: a failed connection must not
    if (ec) return res;
    return exchange(s, std::move(req), std::move(res));
}

// One HTTPS request to the console through `tls`; status 0 when the connection or the
// handshake failed.
inline http::response<http::string_body> https_request(std::uint16_t port, ssl::context& tls,
                                                       http::request<http::string_body> req) {
    asio::io_context io;
    beast::ssl_stream<tcp::socket> s(io, tls);
    beast::error_code ec;
    s.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    http::response<http::string_body> res;
    res.result(0u);
    if (!ec) s.handshake(ssl::stream_base::client, ec);
    if (ec) return res;
    return exchange(s, std::move(req), std::move(res));
}

enum class Scheme { http, https };

// treadmilld (embedded simulator, time-scaled) and treadmill-console, in one temp dir. With
// Scheme::https the console gets a fresh certificate (tls: in its console.yaml) and the rig's
// requests go over TLS, trusting that certificate only.
class ConsoleRig {
  public:
    // `before_daemon` gets the history database's path before treadmilld opens it (to record
    // sessions into it); `daemon_yaml` is added to treadmilld.yaml.
    explicit ConsoleRig(const std::string& console_yaml = {}, Scheme scheme = Scheme::http,
                        const std::function<void(const std::string&)>& before_daemon = {},
                        const std::string& daemon_yaml = {})
        : scheme_(scheme) {
        std::ofstream(dir_ + "/treadmilld.yaml")
            << "bus: {transport: sim}\n"
            << t::state_in(dir_) << "programs: {dirs: [" << dir_ << "]}\n"
            << daemon_yaml;
        std::string tls_yaml;
        if (scheme == Scheme::https) {
            certificate_ = make_test_certificate(dir_);
            // Relative names: taken from console.yaml's directory.
            tls_yaml = "tls: {certificate: console.crt, key: console.key}\n";
            if (!certificate_.certificate.empty())
                client_tls_.emplace(tls_client_context(certificate_.certificate));
        }
        std::ofstream(dir_ + "/console.yaml") << tls_yaml << console_yaml;
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
                return request(req).result_int() == 401;
            },
            10s);
    }
    std::uint16_t port() {
        const std::string log = t::read_file(dir_ + "/console.log");
        const std::string line = "listening on " + scheme() + "://127.0.0.1:";
        const auto at = log.find(line);
        if (at == std::string::npos) return 0;
        return static_cast<std::uint16_t>(std::stoi(log.substr(at + line.size())));
    }
    std::string scheme() const { return scheme_ == Scheme::https ? "https" : "http"; }
    std::string host() { return "127.0.0.1:" + std::to_string(port()); }
    std::string origin() { return scheme() + "://" + host(); }
    // The client context trusting the console's certificate (Scheme::https only).
    ssl::context& client_tls() { return *client_tls_; }
    const TestCertificate& certificate() const { return certificate_; }
    std::string dir() const { return dir_; }

    // One request to the console over its scheme.
    http::response<http::string_body> request(http::request<http::string_body> req) {
        if (scheme_ == Scheme::https) {
            if (client_tls_) return https_request(port(), *client_tls_, std::move(req));
            http::response<http::string_body> failed;
            failed.result(0u);  // no certificate: openssl failed
            return failed;
        }
        return http_request(port(), std::move(req));
    }

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
    Scheme scheme_;
    std::string dir_ = t::make_temp_dir();
    std::string socket_ = dir_ + "/api.sock";
    TestCertificate certificate_;
    std::optional<ssl::context> client_tls_;
    std::unique_ptr<t::ChildProcess> daemon_;
    std::unique_ptr<t::ChildProcess> console_;
};

// A WebSocket upgrade request with these headers ("" leaves one out).
inline http::request<http::string_body> upgrade_request(const std::string& origin,
                                                        const std::string& host,
                                                        const std::string& token) {
    http::request<http::string_body> req{http::verb::get, "/ws", 11};
    req.set(http::field::host, host);
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::sec_websocket_version, "13");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    if (!origin.empty()) req.set(http::field::origin, origin);
    if (!token.empty()) req.set(http::field::cookie, "treadmill_token=" + token);
    return req;
}

// The status of a WebSocket upgrade request with these headers ("" leaves one out).
inline int upgrade_status(std::uint16_t port, const std::string& origin, const std::string& host,
                          const std::string& token) {
    return static_cast<int>(http_request(port, upgrade_request(origin, host, token)).result_int());
}

// A page's WebSocket over `NextLayer` (tcp::socket or beast::ssl_stream<tcp::socket>): the
// upgrade's status, then JSON messages with time-outs.
template <class NextLayer>
class BasicWsClient {
    static constexpr bool tls = !std::is_same_v<NextLayer, tcp::socket>;

  public:
    // Upgrades with the given Origin, Host and token cookie ("" leaves a header out).
    // `receive_buffer` > 0 sets a small SO_RCVBUF first (a page that stops reading).
    BasicWsClient(std::uint16_t port, const std::string& origin, const std::string& host,
                  const std::string& token, int receive_buffer = 0) requires(!tls)
        : ws_(io_) {
        connect(port, origin, host, token, receive_buffer);
    }
    // The same over TLS, trusting what `client_tls` trusts.
    BasicWsClient(ssl::context& client_tls, std::uint16_t port, const std::string& origin,
                  const std::string& host, const std::string& token) requires(tls)
        : ws_(io_, client_tls) {
        connect(port, origin, host, token, 0);
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
    // Sends `text` as it is, in one text frame.
    void send_text(const std::string& text) {
        beast::error_code ec;
        ws_.text(true);
        ws_.write(asio::buffer(text), ec);
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
    void connect(std::uint16_t port, const std::string& origin, const std::string& host,
                 const std::string& token, int receive_buffer) {
        beast::error_code ec;
        auto& socket = beast::get_lowest_layer(ws_);
        socket.open(tcp::v4(), ec);
        if (receive_buffer > 0)
            socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer), ec);
        socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
        if constexpr (tls)
            if (!ec) ws_.next_layer().handshake(ssl::stream_base::client, ec);
        if (ec) {
            error_ = ec.message();
            return;
        }
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

    asio::io_context io_;
    websocket::stream<NextLayer> ws_;
    int upgrade_status_ = 0;
    std::string error_;
    bool open_ = false;
    int next_id_ = 1;
};

using WsClient = BasicWsClient<tcp::socket>;
using TlsWsClient = BasicWsClient<beast::ssl_stream<tcp::socket>>;

}  // namespace treadmill::console_test
