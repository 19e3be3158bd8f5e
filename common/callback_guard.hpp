// The last line of defence around each callback on an event loop (timer, socket, signal): an
// exception that escapes the callback goes to one handler, which stops the machine, instead of
// unwinding through io_context::run() and ending the process with the belt running.
// A copy is cheap and shares the handler; a guard without a handler lets exceptions through.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <utility>

namespace treadmill {

class CallbackGuard {
  public:
    // `where` names the callback ("control cycle"), `what` the exception. Must not throw (what
    // it throws is swallowed): its first act should be the STOP, before any logging.
    using Handler = std::function<void(const char* where, const char* what)>;

    CallbackGuard() = default;
    explicit CallbackGuard(Handler handler)
        : handler_(std::make_shared<const Handler>(std::move(handler))) {}

    // Runs f(args...) now. True when it returned; false when it threw and the handler ran.
    template <typename F, typename... Args>
    bool run(const char* where, F&& f, Args&&... args) const {
        try {
            std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
            return true;
        } catch (const std::exception& e) {
            if (!handler_) throw;
            report(where, e.what());
        } catch (...) {
            if (!handler_) throw;
            report(where, "an exception of unknown type");
        }
        return false;
    }

  private:
    void report(const char* where, const char* what) const noexcept {
        try {
            (*handler_)(where, what);
        } catch (...) {
        }
    }

    std::shared_ptr<const Handler> handler_;
};

}  // namespace treadmill
