#include "controller/api/loop_dispatcher.hpp"

#include <memory>
#include <utility>

#include <boost/asio/post.hpp>

namespace treadmill::api {

namespace asio = boost::asio;

LoopDispatcher::LoopDispatcher(asio::io_context& loop, asio::io_context& api, Dispatcher& inner,
                               const StatusSnapshot& snapshot, CallbackGuard loop_guard,
                               CallbackGuard api_guard, std::function<void()> after_command)
    : loop_(loop),
      api_(api),
      inner_(inner),
      snapshot_(snapshot),
      loop_guard_(std::move(loop_guard)),
      api_guard_(std::move(api_guard)),
      after_command_(std::move(after_command)) {}

Reply LoopDispatcher::dispatch(const std::string& cmd, const json&) {
    if (cmd == "status") return json{{"status", *snapshot_.get()}};
    return fail(ErrorCode::internal, "'" + cmd + "' runs on the control loop; use dispatch_async");
}

void LoopDispatcher::dispatch_async(const std::string& cmd, const json& request, Respond respond) {
    if (cmd == "status") return respond(dispatch(cmd, request));
    asio::post(loop_, [this, cmd, request, respond = std::move(respond)] {
        // Called on the loop (by the command, now or when its worker job is done): at most once,
        // the reply then goes to the API thread, where `respond` and the client live.
        auto answered = std::make_shared<bool>(false);
        Respond back = [this, answered, respond](Reply reply) {
            if (*answered) return;
            *answered = true;
            if (after_command_) loop_guard_.run("publishing the status", after_command_);
            asio::post(api_, [this, respond, reply = std::move(reply)]() mutable {
                api_guard_.run("an API reply from the loop", respond, std::move(reply));
            });
        };
        if (closed_) return back(fail(ErrorCode::refused, "the daemon is shutting down"));
        if (!loop_guard_.run("an API request", [&] { inner_.dispatch_async(cmd, request, back); }))
            back(fail(ErrorCode::internal, "internal error (see the daemon's log)"));
    });
}

}  // namespace treadmill::api
