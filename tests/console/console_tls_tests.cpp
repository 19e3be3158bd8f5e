// treadmill-console over TLS (tls: in console.yaml), with a throwaway certificate from the
// openssl CLI: the page and a paired WebSocket over https against a real treadmilld on the
// embedded simulator, plain HTTP and stalled handshakes on the TLS port, old protocols and
// ciphers refused, and bad certificate or key files stopping the start.
#include <doctest/doctest.h>

#include <openssl/ssl.h>

#include "tests/console/console_rig.hpp"
#include "tests/console/stream_checks.hpp"

using namespace treadmill::console_test;

namespace {

http::request<http::string_body> get(ConsoleRig& rig, const std::string& target) {
    http::request<http::string_body> req{http::verb::get, target, 11};
    req.set(http::field::host, rig.host());
    return req;
}

// The TLS handshake's error with `ctx` ("" when it succeeded).
std::string handshake_error(std::uint16_t port, ssl::context& ctx) {
    asio::io_context io;
    beast::ssl_stream<tcp::socket> s(io, ctx);
    beast::error_code ec;
    s.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (!ec) s.handshake(ssl::stream_base::client, ec);
    return ec ? ec.message() : "";
}

// A client that offers only protocol versions [min, max] and `ciphers` (TLS 1.2 and older).
ssl::context client_offering(int min_version, int max_version, const char* ciphers) {
    ssl::context ctx(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), min_version);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
    SSL_CTX_set_cipher_list(ctx.native_handle(), ciphers);
    ctx.set_verify_mode(ssl::verify_none);
    return ctx;
}

// Connects, writes `sent` (may be empty) and reads until the server closes: what it sent back
// and how long it took; nullopt when it was still open after `limit`.
struct Closed {
    std::string received;
    std::chrono::milliseconds after;
};
std::optional<Closed> until_closed(std::uint16_t port, const std::string& sent,
                                   std::chrono::milliseconds limit) {
    asio::io_context io;
    tcp::socket s(io);
    beast::error_code ec;
    s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return std::nullopt;
    const auto t0 = std::chrono::steady_clock::now();
    if (!sent.empty()) asio::write(s, asio::buffer(sent), ec);
    std::string received;
    std::array<char, 4096> chunk{};
    bool closed = false;
    std::function<void()> read_more = [&] {
        s.async_read_some(asio::buffer(chunk), [&](beast::error_code e, std::size_t n) {
            received.append(chunk.data(), n);
            if (e)
                closed = true;
            else
                read_more();
        });
    };
    read_more();
    io.run_for(limit);
    if (!closed) return std::nullopt;
    return Closed{received, std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - t0)};
}

}  // namespace

TEST_CASE(
    "over https: the page, pairing with a Secure cookie, and a paired WebSocket relaying "
    "the daemon's status") {
    ConsoleRig rig({}, Scheme::https);
    REQUIRE_FALSE(rig.certificate().certificate.empty());
    REQUIRE(rig.ready());
    CHECK(rig.console_log().find("listening on https://127.0.0.1:") != std::string::npos);

    auto index = rig.request(get(rig, "/"));
    REQUIRE(index.result_int() == 200);
    CHECK(index.body().find("<!doctype html") != std::string::npos);

    auto post = [&](const std::string& pin, const std::string& origin) {
        http::request<http::string_body> req{http::verb::post, "/api/pair", 11};
        req.set(http::field::host, rig.host());
        req.set(http::field::origin, origin);
        req.set(http::field::content_type, "application/json");
        req.body() = R"({"pin":")" + pin + R"(","device":"LAN tablet"})";
        return rig.request(req);
    };
    const std::string pin = rig.pin();
    REQUIRE(pin.size() == 6);
    // The page's origin is https:// now; http:// on the same host and port is another origin.
    CHECK(post(pin, "http://" + rig.host()).result_int() == 403);
    auto paired = post(pin, rig.origin());
    REQUIRE(paired.result_int() == 200);
    const std::string cookie(paired[http::field::set_cookie]);
    CHECK(cookie.find("treadmill_token=") == 0);
    CHECK(cookie.find("; Secure") != std::string::npos);
    CHECK(cookie.find("HttpOnly") != std::string::npos);
    const std::string token = cookie.substr(16, cookie.find(';') - 16);

    CHECK(rig.request(upgrade_request("http://" + rig.host(), rig.host(), token)).result_int() ==
          403);
    CHECK(rig.request(upgrade_request(rig.origin(), "evil.example:1", token)).result_int() == 403);
    CHECK(rig.request(upgrade_request(rig.origin(), rig.host(), "")).result_int() == 403);

    TlsWsClient page(rig.client_tls(), rig.port(), rig.origin(), rig.host(), token);
    REQUIRE_MESSAGE(page.upgrade_status() == 101, page.error());
    auto hello = page.next("hello", 2s);
    REQUIRE(hello);
    CHECK((*hello)["device"] == "LAN tablet");
    expect_idle_stream(page);
    auto status = page.call({{"cmd", "status"}});
    REQUIRE(status);
    CHECK((*status)["ok"] == true);
}

TEST_CASE("plain HTTP to the TLS port is closed at once with nothing sent back; https serves on") {
    ConsoleRig rig({}, Scheme::https);
    REQUIRE(rig.ready());
    CHECK(http_request(rig.port(), get(rig, "/")).result_int() == 0);
    const auto closed =
        until_closed(rig.port(), "GET / HTTP/1.1\r\nHost: " + rig.host() + "\r\n\r\n", 5s);
    REQUIRE(closed);
    CHECK(closed->received.empty());
    CHECK(closed->after < 1s);
    // A plain WebSocket upgrade does not get in either.
    WsClient plain(rig.port(), "http://" + rig.host(), rig.host(), rig.token());
    CHECK(plain.upgrade_status() == 0);
    CHECK(rig.request(get(rig, "/")).result_int() == 200);
}

TEST_CASE("a client that stalls before or inside the handshake is dropped after 10 s") {
    ConsoleRig rig({}, Scheme::https);
    REQUIRE(rig.ready());
    std::optional<Closed> silent, partial;
    std::thread a([&] { silent = until_closed(rig.port(), "", 20s); });
    // The first bytes of a ClientHello's record, and nothing more.
    std::thread b(
        [&] { partial = until_closed(rig.port(), std::string("\x16\x03\x01\x00", 4), 20s); });
    a.join();
    b.join();
    REQUIRE(silent);
    REQUIRE(partial);
    INFO("silent closed after " << silent->after.count() << " ms, partial after "
                                << partial->after.count() << " ms");
    CHECK(silent->after >= 9s);
    CHECK(silent->after < 15s);
    CHECK(partial->after >= 9s);
    CHECK(partial->after < 15s);
    CHECK(rig.request(get(rig, "/")).result_int() == 200);
}

TEST_CASE("TLS 1.2 and 1.3 only, and TLS 1.2 only with forward-secret AEAD suites") {
    ConsoleRig rig({}, Scheme::https);
    REQUIRE(rig.ready());
    auto tls11 = client_offering(TLS1_VERSION, TLS1_1_VERSION, "DEFAULT:@SECLEVEL=0");
    CHECK(handshake_error(rig.port(), tls11).find("protocol version") != std::string::npos);
    auto tls12_cbc = client_offering(TLS1_2_VERSION, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-SHA");
    CHECK(handshake_error(rig.port(), tls12_cbc).find("handshake failure") != std::string::npos);
    auto tls12 = client_offering(TLS1_2_VERSION, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256");
    CHECK(handshake_error(rig.port(), tls12) == "");
    auto tls13 = client_offering(TLS1_3_VERSION, TLS1_3_VERSION, "DEFAULT");
    CHECK(handshake_error(rig.port(), tls13) == "");
}

TEST_CASE(
    "a missing, unreadable, wrong, encrypted or mismatched file stops the start: exit 2, "
    "the file named, never plain HTTP") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const auto good = make_test_certificate(dir, "good");
    const auto other = make_test_certificate(dir, "other");
    REQUIRE_FALSE(good.certificate.empty());
    REQUIRE_FALSE(other.certificate.empty());
    const std::string encrypted = dir + "/encrypted.key";
    REQUIRE(treadmill::testing::run_command({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                                             "ec_paramgen_curve:prime256v1", "-aes256", "-pass",
                                             "pass:secret", "-out", encrypted},
                                            20s)
                .exit_code == 0);
    std::ofstream(dir + "/empty.pem").flush();

    struct Case {
        std::string certificate, key, named, says;
    };
    const std::vector<Case> cases = {
        {dir + "/missing.crt", good.key, dir + "/missing.crt", "No such file or directory"},
        {good.certificate, dir + "/missing.key", dir + "/missing.key", "No such file or directory"},
        {dir, good.key, dir, "is a directory"},
        {dir + "/empty.pem", good.key, dir + "/empty.pem", "empty"},
        {good.key, good.key, good.key, "holds no PEM certificate"},
        {good.certificate, good.certificate, good.certificate, "holds no PEM private key"},
        {good.certificate, other.key, other.key, "does not belong to the certificate"},
        {good.certificate, encrypted, encrypted, "is encrypted"},
    };
    for (const auto& c : cases) {
        std::ofstream(dir + "/console.yaml")
            << "tls: {certificate: '" << c.certificate << "', key: '" << c.key << "'}\n";
        const auto run = treadmill::testing::run_command(
            {TREADMILL_CONSOLE_BIN, "--config", dir + "/console.yaml", "--listen", "127.0.0.1:0",
             "--socket", dir + "/none.sock"},
            10s);
        INFO(run.output);
        CHECK(run.exit_code == 2);
        CHECK(run.output.find("treadmill-console: tls: ") == 0);
        CHECK(run.output.find(c.named) != std::string::npos);
        CHECK(run.output.find(c.says) != std::string::npos);
        CHECK(run.output.find("listening on") == std::string::npos);
    }
    // Only one of the two: a settings error.
    std::ofstream(dir + "/console.yaml") << "tls: {certificate: " << good.certificate << "}\n";
    const auto half = treadmill::testing::run_command(
        {TREADMILL_CONSOLE_BIN, "--config", dir + "/console.yaml"}, 10s);
    CHECK(half.exit_code == 2);
    CHECK(half.output.find("tls: needs both certificate and key") != std::string::npos);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}
