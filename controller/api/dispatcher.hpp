// Maps a request's "cmd" to its handler. The server owns framing and clients; the dispatcher
// owns meaning. Handlers run on the io_context thread between control cycles: they only
// enqueue commands or read a snapshot, never block. A command with heavy work (reading a
// program) answers later: its work runs elsewhere and its reply comes back on that thread.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "controller/api/protocol.hpp"

namespace treadmill::api {

// Takes a command's reply; called exactly once, on the io_context thread.
using Respond = std::function<void(Reply)>;

class Dispatcher {
  public:
    virtual ~Dispatcher() = default;
    // Runs one command (every command but "watch", which the server streams itself).
    virtual Reply dispatch(const std::string& cmd, const json& request) = 0;
    // The same, for a command that may answer later: `respond` is called now or later. The
    // server uses this one.
    virtual void dispatch_async(const std::string& cmd, const json& request, Respond respond) {
        respond(dispatch(cmd, request));
    }
    // The status object, as `status` answers it and `watch` streams it.
    virtual json status() = 0;
};

// A Dispatcher built from a table of handlers.
class CommandTable : public Dispatcher {
  public:
    using Handler = std::function<Reply(const json& request)>;
    // A handler that answers through `respond`, now or later (on the io_context thread).
    using DeferredHandler = std::function<void(const json& request, Respond respond)>;

    void add(const std::string& cmd, Handler handler) { handlers_[cmd] = std::move(handler); }
    void add_deferred(const std::string& cmd, DeferredHandler handler) {
        deferred_[cmd] = std::move(handler);
    }
    void set_status(std::function<json()> status) { status_ = std::move(status); }

    // unknown_command for a name not in the table. A handler that throws is a bug: the
    // exception goes on to the server's guard (fault `internal`, STOP, an `internal` reply).
    Reply dispatch(const std::string& cmd, const json& request) override;
    void dispatch_async(const std::string& cmd, const json& request, Respond respond) override;
    json status() override { return status_ ? status_() : json::object(); }

  private:
    std::string known_commands() const;

    std::map<std::string, Handler> handlers_;
    std::map<std::string, DeferredHandler> deferred_;
    std::function<json()> status_;
};

}  // namespace treadmill::api
