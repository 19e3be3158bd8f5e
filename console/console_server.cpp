#include "console/console_server.hpp"

#include <optional>
#include <type_traits>

#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "common/json_text.hpp"
#include "common/strict_json.hpp"
#include "console/assets.hpp"
#include "console/ws_session.hpp"
#include "controller/metrics/metrics_exposition.hpp"

namespace treadmill::console {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using nlohmann::json;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

namespace {

std::string_view sv(beast::string_view s) {
    return {s.data(), s.size()};
}
beast::string_view bsv(std::string_view s) {
    return {s.data(), s.size()};
}

// Headers every response carries: nothing from elsewhere, no framing, no sniffing.
void harden(Response& res) {
    res.set(http::field::server, "treadmill-console");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    res.set("Content-Security-Policy",
            "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
}

Response text_response(http::status status, unsigned version, bool keep_alive,
                       const std::string& body, const char* type = "text/plain; charset=utf-8") {
    Response res{status, version};
    harden(res);
    res.set(http::field::content_type, type);
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(keep_alive);
    res.body() = body;
    res.prepare_payload();
    return res;
}

Response json_response(http::status status, const Request& req, const json& body) {
    return text_response(status, req.version(), req.keep_alive(), json_text(body),
                         "application/json");
}

// A GET of an embedded asset: 200 with an ETag, 304 when the page has it, 404 otherwise.
Response asset_response(const Request& req) {
    const Asset* a = find_asset(sv(req.target()));
    if (!a)
        return text_response(http::status::not_found, req.version(), req.keep_alive(),
                             "not found\n");
    const bool fresh = sv(req[http::field::if_none_match]) == a->etag;
    Response res{fresh ? http::status::not_modified : http::status::ok, req.version()};
    harden(res);
    res.set(http::field::content_type, bsv(a->content_type));
    res.set(http::field::etag, bsv(a->etag));
    res.set(http::field::cache_control, "no-cache");  // revalidate: a new build is a new ETag
    res.keep_alive(req.keep_alive());
    if (!fresh && req.method() != http::verb::head) res.body() = std::string(a->body);
    if (!fresh) res.content_length(a->body.size());
    return res;
}

std::string role_name(Role r) {
    return r == Role::runner ? "runner" : "viewer";
}

// A daemon refusal's message, or a default.
std::string error_message(const std::optional<json>& reply, const std::string& fallback) {
    if (reply && reply->contains("error") && (*reply)["error"].contains("message"))
        return (*reply)["error"]["message"].get<std::string>();
    return fallback;
}

// The device of a pair_check or pair_redeem reply, nullopt when refused.
std::optional<Device> device_of(const std::optional<json>& reply) {
    if (!reply || !reply->value("ok", false)) return std::nullopt;
    const auto role = parse_role(reply->value("role", ""));
    if (!role) return std::nullopt;
    return Device{reply->value("device_id", ""), reply->value("device", ""), *role};
}

// The response to a /metrics request, from the daemon's reply (nullopt: it is not reachable).
Response metrics_response(const Request& req, const std::optional<json>& reply) {
    const auto fail = [&](const std::string& why) {
        return text_response(http::status::service_unavailable, req.version(), req.keep_alive(),
                             why + "\n");
    };
    if (!reply) return fail("treadmilld is not reachable");
    if (!reply->value("ok", false) || !reply->contains("metrics"))
        return fail("treadmilld refused metrics: " + error_message(reply, "no metrics in reply"));
    std::string text;
    try {
        text = metrics::prometheus_exposition((*reply)["metrics"]);
    } catch (const std::exception& e) {
        return fail(std::string("treadmilld's metrics reply is malformed: ") + e.what());
    }
    Response res = text_response(http::status::ok, req.version(), req.keep_alive(), text,
                                 "text/plain; version=0.0.4; charset=utf-8");
    if (req.method() == http::verb::head) {
        res.body().clear();
        res.content_length(text.size());
    }
    return res;
}

// One connection's HTTP requests, over a PlainStream or a TlsStream; a WebSocket upgrade hands
// the stream on to a WsSession of the same kind.
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
    static constexpr bool tls = std::is_same_v<Stream, TlsStream>;
    using std::enable_shared_from_this<HttpSession>::shared_from_this;

  public:
    // `tls_context...`: the server's ssl::context for a TlsStream, nothing for a plain one.
    template <class... TlsContext>
    HttpSession(tcp::socket&& socket, Hub& hub, TlsContext&... tls_context)
        : stream_(std::move(socket), tls_context...), hub_(hub) {}

    void start() {
        if constexpr (tls) {
            // The whole handshake within the limit. A client that is not speaking TLS (plain
            // HTTP to this port) is closed at its first byte, nothing sent back.
            beast::get_lowest_layer(stream_).expires_after(ServerLimits::tls_handshake);
            beast::async_detect_ssl(beast::get_lowest_layer(stream_), buffer_,
                                    [self = shared_from_this()](beast::error_code ec, bool is_tls) {
                                        self->on_detected(ec, is_tls);
                                    });
        } else {
            read_next();
        }
    }

  private:
    void on_detected(beast::error_code ec, bool is_tls) {
        if (ec || !is_tls) return drop();
        stream_.async_handshake(asio::ssl::stream_base::server, buffer_.data(),
                                [self = shared_from_this()](beast::error_code e, std::size_t used) {
                                    if (e) return self->drop();
                                    self->buffer_.consume(used);  // the bytes detect_ssl read
                                    self->read_next();
                                });
    }

    void read_next() {
        parser_.emplace();
        parser_->header_limit(ServerLimits::header_bytes);
        parser_->body_limit(ServerLimits::body_bytes);
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::header_limit)
            return send(text_response(http::status::request_header_fields_too_large, 11, false,
                                      "request headers too large\n"));
        if (ec == http::error::body_limit)
            return send(text_response(http::status::payload_too_large, 11, false,
                                      "request body too large\n"));
        if (ec) return close();
        handle(parser_->release());
    }

    bool host_ok(const Request& req) {
        const std::string host(req[http::field::host]);
        if (host_allowed(host, hub_.allowed_hosts())) return true;
        // The address the client connected to is its own proof (DNS rebinding sends a name).
        beast::error_code ec;
        const auto local = beast::get_lowest_layer(stream_).socket().local_endpoint(ec);
        return !ec && host_name_of(host) == local.address().to_string();
    }

    void handle(Request req) {
        if (!host_ok(req))
            return send(text_response(http::status::forbidden, req.version(), false,
                                      "this host name is not allowed (allowed_hosts)\n"));
        const std::string target(req.target());
        if (target.substr(0, target.find('?')) == "/metrics") return metrics(std::move(req));
        if (target == "/ws" && websocket::is_upgrade(req)) return upgrade(std::move(req));
        if (target == "/api/pair" && req.method() == http::verb::post) return pair(std::move(req));
        if (target == "/api/me" && req.method() == http::verb::get) return me(std::move(req));
        if (req.method() != http::verb::get && req.method() != http::verb::head)
            return send(text_response(http::status::method_not_allowed, req.version(),
                                      req.keep_alive(), "method not allowed\n"));
        send(asset_response(req));
    }

    std::string token_of(const Request& req) {
        return cookie_value(sv(req[http::field::cookie]), kTokenCookie);
    }

    // GET /metrics: the daemon's `metrics` reply in the Prometheus text format, for a scraper
    // that holds the metrics token (when one is configured) instead of a pairing.
    void metrics(Request req) {
        if (req.method() != http::verb::get && req.method() != http::verb::head) {
            Response res = text_response(http::status::method_not_allowed, req.version(),
                                         req.keep_alive(), "method not allowed\n");
            res.set(http::field::allow, "GET, HEAD");
            return send(std::move(res));
        }
        const std::string& token = hub_.config().metrics_token;
        if (!token.empty() && !bearer_token_matches(sv(req[http::field::authorization]), token)) {
            Response res = text_response(http::status::unauthorized, req.version(),
                                         req.keep_alive(), "a bearer token is needed\n");
            res.set(http::field::www_authenticate, "Bearer realm=\"treadmill metrics\"");
            return send(std::move(res));
        }
        if (!hub_.metrics_started())
            return send(text_response(http::status::service_unavailable, req.version(),
                                      req.keep_alive(), "too many metrics requests waiting\n"));
        hub_.send_command({{"cmd", "metrics"}},
                          [self = shared_from_this(), req](std::optional<json> reply) {
                              self->hub_.metrics_ended();
                              self->send(metrics_response(req, reply));
                          });
    }

    // GET /api/me: who this page's cookie belongs to (401 unpaired, 503 daemon away).
    void me(Request req) {
        const std::string token = token_of(req);
        if (token.empty())
            return send(json_response(http::status::unauthorized, req, {{"error", "not paired"}}));
        hub_.send_command(
            {{"cmd", "pair_check"}, {"token", token}},
            [self = shared_from_this(), req](std::optional<json> reply) {
                if (!reply)
                    return self->send(json_response(http::status::service_unavailable, req,
                                                    {{"error", "treadmilld is not reachable"}}));
                const auto d = device_of(reply);
                if (!d)
                    return self->send(
                        json_response(http::status::unauthorized, req,
                                      {{"error", error_message(reply, "not paired")}}));
                self->send(json_response(
                    http::status::ok, req,
                    {{"device_id", d->id}, {"device", d->name}, {"role", role_name(d->role)}}));
            });
    }

    // POST /api/pair {"pin","device"}: redeems the PIN with the daemon, sets the token cookie.
    void pair(Request req) {
        if (!origin_matches(sv(req[http::field::origin]), sv(req[http::field::host]), tls))
            return send(json_response(http::status::forbidden, req,
                                      {{"error", "cross-site request refused"}}));
        const auto parsed = parse_strict_json(req.body());
        if (!parsed)
            return send(
                json_response(http::status::bad_request, req,
                              {{"error", "send {\"pin\":\"123456\"}: " + parsed.error().message}}));
        const json& body = *parsed;
        if (!body.is_object() || !body.contains("pin") || !body["pin"].is_string())
            return send(json_response(http::status::bad_request, req,
                                      {{"error", "send {\"pin\":\"123456\"}"}}));
        json redeem = {{"cmd", "pair_redeem"}, {"pin", body["pin"]}};
        if (body.contains("device") && body["device"].is_string())
            redeem["device"] = body["device"];
        hub_.send_command(redeem, [self = shared_from_this(), req](std::optional<json> reply) {
            if (!reply)
                return self->send(json_response(http::status::service_unavailable, req,
                                                {{"error", "treadmilld is not reachable"}}));
            const auto d = device_of(reply);
            if (!d || !(*reply)["token"].is_string())
                return self->send(
                    json_response(http::status::forbidden, req,
                                  {{"error", error_message(reply, "wrong or expired PIN")}}));
            Response res = json_response(http::status::ok, req,
                                         {{"device_id", d->id}, {"role", role_name(d->role)}});
            res.set(http::field::set_cookie,
                    std::string(kTokenCookie) + "=" + (*reply)["token"].get<std::string>() +
                        "; Path=/; HttpOnly; SameSite=Strict; Max-Age=315360000" +
                        (tls ? "; Secure" : ""));
            self->send(std::move(res));
        });
    }

    // GET /ws: Origin, Host and token checked before the handshake; 403 / 503 otherwise.
    void upgrade(Request req) {
        if (!origin_matches(sv(req[http::field::origin]), sv(req[http::field::host]), tls))
            return send(text_response(http::status::forbidden, req.version(), false,
                                      "cross-site WebSocket refused\n"));
        const std::string token = token_of(req);
        if (token.empty())
            return send(
                text_response(http::status::forbidden, req.version(), false, "not paired\n"));
        if (hub_.clients() >= hub_.config().max_clients)
            return send(text_response(http::status::service_unavailable, req.version(), false,
                                      "too many consoles connected (max_clients)\n"));
        hub_.upgrade_started();
        hub_.send_command(
            {{"cmd", "pair_check"}, {"token", token}},
            [self = shared_from_this(), req](std::optional<json> reply) mutable {
                const auto d = device_of(reply);
                if (!d) {
                    self->hub_.upgrade_ended();
                    return self->send(text_response(
                        reply ? http::status::forbidden : http::status::service_unavailable,
                        req.version(), false,
                        error_message(reply, "treadmilld is not reachable") + "\n"));
                }
                auto ws =
                    std::make_shared<WsSession<Stream>>(std::move(self->stream_), self->hub_, *d);
                ws->accept(std::move(req));
            });
    }

    void send(Response res) {
        auto shared = std::make_shared<Response>(std::move(res));
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
        http::async_write(stream_, *shared,
                          [self = shared_from_this(), shared](beast::error_code ec, std::size_t) {
                              if (ec || !shared->keep_alive()) return self->close();
                              self->read_next();
                          });
    }

    // The end of a connection: TLS's close_notify (within 5 s), then the TCP shutdown.
    void close() {
        if constexpr (tls) {
            beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
            stream_.async_shutdown(
                [self = shared_from_this()](beast::error_code) { self->drop(); });
        } else {
            beast::error_code ec;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        }
    }

    // Closes the socket at once.
    void drop() {
        beast::error_code ec;
        beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
        beast::get_lowest_layer(stream_).socket().close(ec);
    }

    Stream stream_;
    Hub& hub_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

Hub::Hub(asio::io_context& io, ConsoleConfig config, std::vector<std::string> allowed_hosts)
    : io_(io),
      config_(std::move(config)),
      allowed_hosts_(std::move(allowed_hosts)),
      pair_poll_(io) {}

void Hub::start() {
    const auto keepalive = config_.keepalive;
    commands_ =
        std::make_shared<CommandLink>(io_, config_.socket, CommandLink::kMaxReplyBytes, keepalive);
    urgent_ =
        std::make_shared<CommandLink>(io_, config_.socket, CommandLink::kMaxReplyBytes, keepalive);
    history_ = std::make_shared<CommandLink>(io_, config_.socket, ServerLimits::history_reply_bytes,
                                             keepalive);
    watch_ = std::make_shared<WatchLink>(
        io_, config_.socket,
        [this](const std::string& line) {
            last_status_ =
                std::make_shared<const std::string>("{\"t\":\"status\",\"msg\":" + line + "}");
            broadcast(last_status_);
        },
        [this](bool) {
            if (!daemon_up()) last_status_.reset();
            broadcast(link_message());
        });
    commands_->start();
    urgent_->start();
    history_->start();
    watch_->start();
    poll_pairings();
}

void Hub::stop() {
    stopped_ = true;
    pair_poll_.cancel();
    if (commands_) commands_->close();
    if (urgent_) urgent_->close();
    if (history_) history_->close();
    if (watch_) watch_->close();
    auto sessions = sessions_;
    for (const auto& s : sessions) s->close();
}

std::shared_ptr<const std::string> Hub::link_message() const {
    return std::make_shared<const std::string>(json_text(json{{"t", "link"}, {"up", daemon_up()}}));
}

bool Hub::metrics_started() {
    if (metrics_waiting_ >= ServerLimits::metrics_in_flight) return false;
    ++metrics_waiting_;
    return true;
}

void Hub::add(const std::shared_ptr<Page>& s) {
    sessions_.insert(s);
}
void Hub::remove(const std::shared_ptr<Page>& s) {
    sessions_.erase(s);
}

void Hub::broadcast(const std::shared_ptr<const std::string>& msg) {
    auto sessions = sessions_;  // a send may drop (remove) a session
    for (const auto& s : sessions) s->send(msg);
}

void Hub::send_command(json request, CommandLink::Reply on_reply) {
    const std::string cmd = request.value("cmd", "");
    const auto& link = is_urgent(cmd) ? urgent_ : is_history(cmd) ? history_ : commands_;
    link->request(std::move(request), std::move(on_reply));
}

bool Hub::rate_ok(const std::string& device_id, std::string_view cmd) {
    return rate_.allow(device_id, cmd, RateLimiter::Clock::now());
}

// Every 500 ms: pages of devices no longer paired (revoked) are disconnected.
void Hub::poll_pairings() {
    if (stopped_) return;
    pair_poll_.expires_after(std::chrono::milliseconds(500));
    pair_poll_.async_wait([this](boost::system::error_code ec) {
        if (ec || stopped_) return;
        if (sessions_.empty()) return poll_pairings();
        commands_->request({{"cmd", "pair_list"}}, [this](std::optional<json> reply) {
            if (reply && reply->value("ok", false) && (*reply)["devices"].is_array()) {
                std::set<std::string> listed;
                for (const auto& d : (*reply)["devices"]) listed.insert(d.value("device_id", ""));
                auto sessions = sessions_;
                for (const auto& s : sessions)
                    if (!listed.count(s->device().id)) s->close();
            }
            poll_pairings();
        });
    });
}

Listener::Listener(asio::io_context& io, Hub& hub, const ListenAddress& at,
                   std::shared_ptr<asio::ssl::context> tls)
    : hub_(hub), tls_(std::move(tls)), acceptor_(io), pause_(io) {
    const tcp::endpoint ep(asio::ip::make_address(at.host), at.port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
}

void Listener::start() {
    accept_next();
}

void Listener::stop() {
    pause_.cancel();
    boost::system::error_code ec;
    acceptor_.close(ec);
}

void Listener::accept_next() {
    acceptor_.async_accept(
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted) return;
            if (!ec && self->tls_)
                std::make_shared<HttpSession<TlsStream>>(std::move(socket), self->hub_, *self->tls_)
                    ->start();
            else if (!ec)
                std::make_shared<HttpSession<PlainStream>>(std::move(socket), self->hub_)->start();
            self->accept_next();
        });
}

}  // namespace treadmill::console
