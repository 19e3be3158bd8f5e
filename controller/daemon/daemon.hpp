// treadmilld assembled: the log writer, the embedded simulator (when no hardware is
// configured), the Modbus driver, the control cycle, the API server, the sleep inhibitor, the
// control loop and the watchdog, built in dependency order and torn down in reverse. run()
// returns the exit code. Two event loops: the control loop's io_context (the cycle and every
// command that acts on the controller) on the thread that calls run(), and the API thread's
// (the sockets; `status` and `watch` from the snapshot published after each cycle).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "common/callback_guard.hpp"
#include "controller/api/api_thread.hpp"
#include "controller/api/controller_commands.hpp"
#include "controller/api/editor_commands.hpp"
#include "controller/api/loop_dispatcher.hpp"
#include "controller/api/off_loop_worker.hpp"
#include "controller/api/pairing_commands.hpp"
#include "controller/api/pairing_store.hpp"
#include "controller/api/request_timing.hpp"
#include "controller/api/server.hpp"
#include "controller/api/session_command.hpp"
#include "controller/api/session_tracker.hpp"
#include "controller/api/status_snapshot.hpp"
#include "controller/control_cycle.hpp"
#include "controller/daemon/async_log.hpp"
#include "controller/daemon/config.hpp"
#include "controller/daemon/control_loop.hpp"
#include "controller/daemon/history_hook.hpp"
#include "controller/daemon/metrics_keeper.hpp"
#include "controller/daemon/sleep_inhibitor.hpp"
#include "controller/daemon/watchdog.hpp"
#include "protocols/modbus_treadmill.hpp"
#include "sim/embedded_simulator.hpp"

namespace treadmill::daemon {

// Test seams for in-process tests (tests/daemon/daemon_guard_tests.cpp): code run inside the
// daemon's own callbacks, to prove that an exception there stops the belt (and, in
// api_thread_tests.cpp, to hold the loop's thread). main() never sets them and nothing on the
// API reaches them.
struct DaemonTestHooks {
    std::function<void()> in_cycle{};  // in the control loop's timer callback, after the cycle
    // In each API request that runs on the loop (all but `status` and `watch`), before its
    // command runs.
    std::function<void()> in_request{};
    std::function<void()> in_signal{};  // in the SIGTERM/SIGINT callback, before shutting down
};

struct DaemonOptions {
    Config config;
    double time_scale = 1.0;                             // embedded simulator only
    Duration shutdown_limit = std::chrono::seconds(25);  // inside TimeoutStopSec=30
    DaemonTestHooks test_hooks{};
};

class Daemon {
  public:
    // Throws std::runtime_error when the embedded simulator cannot start.
    explicit Daemon(DaemonOptions options);
    // Joins the API thread (when run() could not) before its servers go.
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Serves until SIGTERM/SIGINT and a ramped stop; 0 on a clean exit, 1 when it cannot start.
    // An exception in any callback of its event loop latches fault `internal` (STOP first) and
    // the loop goes on.
    int run();
    // The last resort of main(): STOP and halt through the hardware, if it can still be reached.
    void stop_belt(const char* what) noexcept;

  private:
    void on_exception(const char* where, const char* what) noexcept;
    // The guard's handler on the API thread: the fault is posted to the loop, which owns the belt.
    void on_api_exception(const char* where, const char* what) noexcept;
    // The status of now into the snapshot the API thread answers from (loop thread).
    void publish_status();
    void on_signal();
    // Queues one line for stderr (the log writer thread); never blocks the loop.
    void log(std::string line);
    void log_start();
    void after_cycle(TimePoint now);
    void report_state(TimePoint now);
    void begin_shutdown();
    void continue_shutdown(TimePoint now);
    void finish();
    void save_pairing();
    bool open_remote_socket();
    // Closes both servers on the API thread (posted; here when it does not run).
    void close_servers();
    void close_servers_now();
    std::map<std::string, metrics::ModbusCounts> modbus_counts() const;
    void wait_signal();

    DaemonOptions options_;
    AsyncLog log_;
    std::unique_ptr<sim::EmbeddedSimulator> simulator_;
    ModbusTreadmill hardware_;
    controller::ControlCycle cycle_;
    api::ProgramCatalog catalog_;
    HistoryHook history_;         // its writer drains its queue when the daemon is torn down
    boost::asio::io_context io_;  // the control loop's
    api::ApiThread api_thread_;   // the API servers' io_context and thread; joined before they go
    api::OffLoopWorker worker_;   // reads programs for the API; stopped before the catalog goes
    CallbackGuard guard_;         // on the loop thread
    CallbackGuard api_guard_;     // on the API thread
    api::StatusSnapshot status_snapshot_;  // published by the loop, read by the API thread
    api::RequestTiming request_timing_;    // both API servers' service times (status.api)
    api::ControllerApi api_;
    api::PairingStore pairing_;  // the console's paired devices, read at start
    api::PairingApi pairing_api_;
    api::EditorApi editor_api_;
    api::SessionTracker session_tracker_;  // fed after every cycle, read by `session`
    api::SessionApi session_api_;
    MetricsKeeper metrics_;  // the counters, fed after every cycle, saved by the worker
    api::CommandTable commands_;
    std::unique_ptr<api::Dispatcher> dispatcher_;  // commands_, behind the in_request hook
    api::LoopDispatcher loop_dispatcher_;  // the servers': status here, the rest on the loop
    api::ApiServer server_;
    // api.remote_socket when configured: the same commands behind the remote policy.
    std::unique_ptr<api::ApiServer> remote_server_;
    Heartbeat heartbeat_;
    SleepInhibitor inhibitor_;
    ControlLoop loop_;
    boost::asio::signal_set signals_;
    std::optional<WatchdogThread> watchdog_;

    std::optional<controller::State> reported_state_;
    std::optional<std::string> reported_reason_;
    bool ready_sent_ = false;
    bool shutting_down_ = false;
    bool shutdown_estop_ = false;
    std::optional<TimePoint> shutdown_deadline_;
};

}  // namespace treadmill::daemon
