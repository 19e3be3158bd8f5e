// The API thread's dispatcher: `status` (and `watch`, through status()) is answered at once from
// the snapshot of the last completed control cycle; every other command is posted to the control
// loop's io_context and run there by the command table exactly as before, and its reply is
// posted back to the API thread. So a long cycle (a Modbus time-out) delays only the commands
// that act on the controller, never a status.
#pragma once

#include <functional>

#include <boost/asio/io_context.hpp>

#include "common/callback_guard.hpp"
#include "controller/api/dispatcher.hpp"
#include "controller/api/status_snapshot.hpp"

namespace treadmill::api {

class LoopDispatcher : public Dispatcher {
  public:
    // `inner` runs on `loop`; replies go to `api`, the servers' io_context. `loop_guard` catches
    // what a command throws on the loop (the request is answered `internal`), `api_guard` what
    // handing a reply to its client throws on the API thread. `after_command`, when set, runs
    // on the loop after each command answered (before its reply is posted): the daemon
    // publishes a fresh snapshot there, so a `status` after a `stop`'s reply shows it.
    LoopDispatcher(boost::asio::io_context& loop, boost::asio::io_context& api, Dispatcher& inner,
                   const StatusSnapshot& snapshot, CallbackGuard loop_guard,
                   CallbackGuard api_guard, std::function<void()> after_command = {});

    // Only `status` can answer here and now (an error for the others: use dispatch_async).
    Reply dispatch(const std::string& cmd, const json& request) override;
    // Call on the API thread; `respond` is called on it, now (`status`) or later.
    void dispatch_async(const std::string& cmd, const json& request, Respond respond) override;
    // The last published snapshot.
    json status() override { return *snapshot_.get(); }
    // From now on a command that reaches the loop is answered `refused` instead of run (the
    // daemon is shutting down; one may still be on its way from the API thread). Loop thread.
    void close() { closed_ = true; }

  private:
    boost::asio::io_context& loop_;
    boost::asio::io_context& api_;
    Dispatcher& inner_;
    const StatusSnapshot& snapshot_;
    CallbackGuard loop_guard_;
    CallbackGuard api_guard_;
    std::function<void()> after_command_;
    bool closed_ = false;  // loop thread only
};

}  // namespace treadmill::api
