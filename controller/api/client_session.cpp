#include "controller/api/client_session.hpp"

#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include "common/json_text.hpp"
#include "controller/api/server.hpp"

namespace treadmill::api {

namespace asio = boost::asio;

namespace {

// A reply as one line of text.
std::string reply_line(const json& reply) {
    return json_text(reply) + "\n";
}

// {"id":id,"ok":true} plus the fields of `body` (see serialized_fields()), as one line.
std::string ok_line(const json& id, const json& body) {
    if (!body.is_string()) return reply_line(ok_reply(id, body));
    const auto& fields = body.get_ref<const std::string&>();  // "{…}"
    std::string line = "{\"id\":" + json_text(id) + ",\"ok\":true";
    if (fields.size() > 2 && fields.front() == '{') {
        line += ',';
        line.append(fields, 1, std::string::npos);
    } else {
        line += '}';
    }
    return line + "\n";
}

}  // namespace

ClientSession::ClientSession(asio::local::stream_protocol::socket socket, ApiServer& server,
                             bool over_limit)
    : socket_(std::move(socket)),
      server_(&server),
      guard_(server.guard_),
      over_limit_(over_limit),
      last_request_(SteadyClock::now()),
      idle_timer_(socket_.get_executor()) {}

void ClientSession::start() {
    arm_idle_timer(last_request_ + server_->options_.idle_timeout);
    read_more();
}

void ClientSession::shut_down() {
    server_ = nullptr;
    boost::system::error_code ignored;
    socket_.close(ignored);
    idle_timer_.cancel();
}

void ClientSession::arm_idle_timer(TimePoint at) {
    idle_timer_.expires_at(at);
    idle_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->guarded("an API client's idle timer", [&] { self->on_idle_timer(); });
    });
}

// Idle: no request for idle_timeout, not watching, nothing waiting for its turn or its reply.
void ClientSession::on_idle_timer() {
    if (server_ == nullptr) return;
    const auto timeout = server_->options_.idle_timeout;
    const TimePoint now = SteadyClock::now();
    if (watching_ || parked_ || awaiting_reply_) return arm_idle_timer(now + timeout);
    if (now - last_request_ < timeout) return arm_idle_timer(last_request_ + timeout);
    drop();
}

void ClientSession::drop() {
    if (server_ == nullptr) return;
    server_->remove(shared_from_this());  // calls shut_down()
}

void ClientSession::read_more() {
    if (server_ == nullptr || reading_ || parked_ || awaiting_reply_ || close_after_flush_) return;
    if (queued_bytes() > server_->options_.pause_reading_bytes) return;  // resumes after writes
    reading_ = true;
    socket_.async_read_some(
        asio::buffer(read_buffer_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            self->reading_ = false;
            if (ec) return self->drop();
            self->guarded("reading an API client", [&] { self->on_read(n); });
        });
}

void ClientSession::on_read(std::size_t bytes) {
    if (server_ == nullptr) return;
    read_at_ = SteadyClock::now();
    input_.append(read_buffer_.data(), bytes);
    process_input();
    read_more();
}

void ClientSession::resume() {
    if (server_ == nullptr || !parked_) return;
    parked_ = false;
    guarded("resuming an API client", [&] {
        process_input();
        read_more();
    });
}

// Handles the complete lines received so far, while the server allows; a line over the limit
// is answered with an error, then the client is closed once that reply is written.
void ClientSession::process_input() {
    const std::size_t limit = server_->options_.max_line_bytes;
    std::size_t start = 0;
    while (server_ != nullptr && !close_after_flush_ && !awaiting_reply_) {
        const auto newline = input_.find('\n', start);
        const std::size_t length = (newline == std::string::npos ? input_.size() : newline) - start;
        if (length > limit) return line_too_long();
        if (newline == std::string::npos) break;
        if (!server_->may_handle_request(period_, requests_)) {
            parked_ = true;
            server_->park(shared_from_this());
            break;
        }
        std::string line = input_.substr(start, length);
        start = newline + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        last_request_ = SteadyClock::now();
        line_read_at_ = read_at_;
        handle_line(line);
    }
    if (server_ != nullptr) input_.erase(0, start);
}

void ClientSession::line_too_long() {
    input_.clear();
    send(json_text(error_reply(
             nullptr,
             {ErrorCode::bad_request,
              "line longer than " + std::to_string(server_->options_.max_line_bytes) + " bytes"})) +
         "\n");
    close_after_flush_ = true;
    if (!writing_) drop();
}

// A request that throws is answered `internal` (the guard's handler has stopped the belt).
void ClientSession::handle_line(const std::string& line) {
    std::optional<std::string> reply = reply_line(
        error_reply(nullptr, {ErrorCode::internal, "internal error (see the daemon's log)"}));
    std::string cmd = "invalid";  // the command's name once the request names one
    guard_.run("an API request", [&] { reply = answer_line(line, cmd); });
    if (reply) send(std::move(*reply));
    if (awaiting_reply_)
        awaited_cmd_ = std::move(cmd);
    else
        count_time(cmd);
}

void ClientSession::count_time(const std::string& cmd) {
    if (server_ != nullptr && server_->options_.timing != nullptr)
        server_->options_.timing->record(cmd, SteadyClock::now() - line_read_at_);
}

std::optional<std::string> ClientSession::answer_line(const std::string& line, std::string& cmd) {
    const auto request = parse_request(line);
    return request ? answer(*request, cmd) : reply_line(error_reply(nullptr, request.error()));
}

std::optional<std::string> ClientSession::answer(const json& request, std::string& cmd_name) {
    if (!request.is_object()) {
        return reply_line(
            error_reply(nullptr, {ErrorCode::bad_request, "a request is a JSON object"}));
    }
    const json id = request.value("id", json());
    if (!id.is_null() && !id.is_number_integer()) {
        return reply_line(
            error_reply(nullptr, {ErrorCode::bad_request, "'id' must be an integer"}));
    }
    const auto cmd = request.find("cmd");
    if (cmd == request.end() || !cmd->is_string()) {
        return reply_line(error_reply(id, {ErrorCode::bad_request, "'cmd' must be a string"}));
    }
    const std::string& name = cmd->get_ref<const std::string&>();
    cmd_name = name;
    if (const auto& policy = server_->options_.policy) {
        if (auto refusal = policy->check(name)) return reply_line(error_reply(id, *refusal));
    }
    if (over_limit_ && server_->options_.over_limit_commands.count(name) == 0) {
        return reply_line(error_reply(id, {ErrorCode::refused, over_limit_refusal()}));
    }
    if (name == "watch") {
        json status = server_->dispatcher_.status();
        watching_ = true;
        watch_id_ = id;
        return ok_line(id, {{"status", std::move(status)}});
    }
    return dispatch(id, name, request);
}

std::string ClientSession::over_limit_refusal() const {
    std::string allowed;
    for (const auto& c : server_->options_.over_limit_commands)
        allowed += (allowed.empty() ? "" : ", ") + c;
    return "over the limit of " + std::to_string(server_->options_.max_clients) +
           " clients: this connection may only use " + allowed;
}

// The dispatcher answers now (the reply is returned) or later, on this thread (nullopt: the
// session reads no further request until that reply is sent).
std::optional<std::string> ClientSession::dispatch(const json& id, const std::string& cmd,
                                                   const json& request) {
    struct Call {
        bool returned = false;
        std::optional<std::string> reply;
    };
    auto call = std::make_shared<Call>();
    std::weak_ptr<ClientSession> weak = weak_from_this();
    const auto large = server_->options_.large_reply_commands.find(cmd);
    const std::size_t limit =
        large == server_->options_.large_reply_commands.end() ? 0 : large->second;
    server_->dispatcher_.dispatch_async(cmd, request, [call, weak, id, limit](Reply reply) {
        std::string line = reply ? ok_line(id, *reply) : reply_line(error_reply(id, reply.error()));
        if (!call->returned) {
            call->reply = std::move(line);
        } else if (auto self = weak.lock()) {
            self->guarded("a deferred API reply",
                          [&] { self->deferred_reply(std::move(line), limit); });
        }
    });
    call->returned = true;
    if (!call->reply) awaiting_reply_ = true;
    if (call->reply && limit > 0) {
        send(std::move(*call->reply), limit);
        return std::nullopt;
    }
    return std::move(call->reply);
}

void ClientSession::deferred_reply(std::string line, std::size_t limit) {
    if (server_ == nullptr || !awaiting_reply_) return;
    awaiting_reply_ = false;
    last_request_ = SteadyClock::now();
    send(std::move(line), limit);
    count_time(awaited_cmd_);
    if (server_ == nullptr || parked_) return;
    process_input();
    read_more();
}

void ClientSession::send_status(const std::string& status_json) {
    send("{\"id\":" + json_text(watch_id_) + ",\"ok\":true,\"status\":" + status_json + "}\n");
}

// Queues a line; a client whose queue would pass the limit is dropped, never waited for.
void ClientSession::send(std::string line, std::size_t limit) {
    if (server_ == nullptr) return;
    if (limit == 0) limit = server_->options_.max_queued_bytes;
    if (queued_bytes() + line.size() > limit) return drop();
    outbox_ += line;
    if (!writing_) write_next();
}

void ClientSession::write_next() {
    if (server_ == nullptr) return;
    if (outbox_.empty()) {
        if (close_after_flush_) return drop();
        return read_more();
    }
    writing_ = true;
    in_flight_.swap(outbox_);  // everything queued goes out in one write
    asio::async_write(socket_, asio::buffer(in_flight_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                          self->writing_ = false;
                          if (ec || self->server_ == nullptr) return self->drop();
                          self->in_flight_.clear();
                          self->guarded("writing to an API client", [&] { self->write_next(); });
                      });
}

}  // namespace treadmill::api
