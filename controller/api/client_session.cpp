#include "controller/api/client_session.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include "common/json_text.hpp"
#include "controller/api/server.hpp"

namespace treadmill::api {

namespace asio = boost::asio;

ClientSession::ClientSession(asio::local::stream_protocol::socket socket, ApiServer& server)
    : socket_(std::move(socket)), server_(&server), guard_(server.guard_) {}

void ClientSession::shut_down() {
    server_ = nullptr;
    boost::system::error_code ignored;
    socket_.close(ignored);
}

void ClientSession::drop() {
    if (server_ == nullptr) return;
    server_->remove(shared_from_this());  // calls shut_down()
}

void ClientSession::read_more() {
    if (server_ == nullptr || reading_ || parked_ || close_after_flush_) return;
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
    while (server_ != nullptr && !close_after_flush_) {
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
        if (!line.empty()) handle_line(line);
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
    json reply =
        error_reply(nullptr, {ErrorCode::internal, "internal error (see the daemon's log)"});
    guard_.run("an API request", [&] { reply = answer_line(line); });
    send(json_text(reply) + "\n");
}

json ClientSession::answer_line(const std::string& line) {
    const auto request = parse_request(line);
    return request ? answer(*request) : error_reply(nullptr, request.error());
}

json ClientSession::answer(const json& request) {
    if (!request.is_object()) {
        return error_reply(nullptr, {ErrorCode::bad_request, "a request is a JSON object"});
    }
    const json id = request.value("id", json());
    if (!id.is_null() && !id.is_number_integer()) {
        return error_reply(nullptr, {ErrorCode::bad_request, "'id' must be an integer"});
    }
    const auto cmd = request.find("cmd");
    if (cmd == request.end() || !cmd->is_string()) {
        return error_reply(id, {ErrorCode::bad_request, "'cmd' must be a string"});
    }
    if (*cmd == "watch") {
        json status = server_->dispatcher_.status();
        watching_ = true;
        watch_id_ = id;
        return ok_reply(id, {{"status", std::move(status)}});
    }
    const Reply reply = server_->dispatcher_.dispatch(cmd->get<std::string>(), request);
    return reply ? ok_reply(id, *reply) : error_reply(id, reply.error());
}

void ClientSession::send_status(const std::string& status_json) {
    send("{\"id\":" + json_text(watch_id_) + ",\"ok\":true,\"status\":" + status_json + "}\n");
}

// Queues a line; a client whose queue would pass the limit is dropped, never waited for.
void ClientSession::send(std::string line) {
    if (server_ == nullptr) return;
    if (queued_bytes() + line.size() > server_->options_.max_queued_bytes) return drop();
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
