#include "controller/daemon/daemon.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <boost/asio/post.hpp>

#include "controller/api/pairing_file.hpp"
#include "controller/daemon/hardware_setup.hpp"
#include "controller/daemon/realtime.hpp"
#include "controller/daemon/sd_notify.hpp"
#include "controller/daemon/watchdog_mark.hpp"

namespace treadmill::daemon {

namespace {

AsyncLog::Options log_options() {
    AsyncLog::Options o;
    o.prefix = "treadmilld: ";
    return o;
}

// A number as a person reads it in the log: printf's format, e.g. "%.1f" or "%g".
std::string number(const char* format, double value) {
    char text[32];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

std::unique_ptr<sim::EmbeddedSimulator> start_simulator(const DaemonOptions& o, AsyncLog& log) {
    if (!o.config.simulated()) return nullptr;
    sim::SimOptions sim_options;
    sim_options.time_scale = o.time_scale;
    auto simulator = sim::EmbeddedSimulator::start_tcp({"127.0.0.1", 0}, sim_options);
    log.log("no hardware configured: embedded simulator on 127.0.0.1:" +
            std::to_string(simulator->port()) + ", time scale " + number("%g", o.time_scale));
    return simulator;
}

// programs.user_dir (the editor's saves) first, then programs.dirs.
std::vector<std::string> program_search_dirs(const Config& config) {
    std::vector<std::string> dirs{config.program_user_dir};
    dirs.insert(dirs.end(), config.program_dirs.begin(), config.program_dirs.end());
    return dirs;
}

// The runner's profile when its file is there and valid (else a logged warning).
std::optional<programs::Profile> load_profile(const std::string& path, AsyncLog& log) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    auto loaded = programs::load_profile_file(path);
    for (const auto& d : loaded.diagnostics) log.log(d.to_string());
    return loaded.profile;
}

api::ServerOptions server_options(const Config& config, AsyncLog& log, api::RequestTiming& timing) {
    api::ServerOptions o;
    o.timing = &timing;
    o.group = config.api.group;
    o.idle_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(config.api.idle_timeout);
    // Requests stop 30 % of a period before the next cycle is due (30 ms at 100 ms).
    o.quiet_before_cycle =
        std::chrono::duration_cast<std::chrono::milliseconds>(config.control.period * 3 / 10);
    o.log = [&log](const std::string& line) { log.log("warning: " + line); };
    return o;
}

// The remote socket's options: its own group and the remote command policy.
api::ServerOptions remote_server_options(const Config& config, AsyncLog& log,
                                         api::RequestTiming& timing) {
    api::ServerOptions o = server_options(config, log, timing);
    o.group = config.api.remote_group;
    o.policy = api::remote_command_policy(config.api.remote_adjust);
    return o;
}

// The configured maintenance items and their intervals in belt hours.
metrics::MaintenanceIntervals maintenance_intervals(const MaintenanceConfig& m) {
    metrics::MaintenanceIntervals out;
    const auto hours = [](Duration d) { return std::chrono::duration<double>(d).count() / 3600; };
    if (m.lubrication) out["lubrication"] = hours(*m.lubrication);
    if (m.service) out["service"] = hours(*m.service);
    return out;
}

double milliseconds(Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

// status.loop: {"cycles","late","max_late_ms","late_hist","max_cycle_ms","cycle_hist",
// "period_ms","log_dropped"}.
nlohmann::json loop_json(const LoopStats& s, Duration period, std::uint64_t log_dropped) {
    return {{"cycles", s.cycles},
            {"late", s.late},
            {"max_late_ms", milliseconds(s.max_late)},
            {"late_hist", s.lateness},
            {"max_cycle_ms", milliseconds(s.max_cycle)},
            {"cycle_hist", s.length},
            {"period_ms", milliseconds(period)},
            {"log_dropped", log_dropped}};
}

// A session is active from its countdown until the belt stopped: no suspend then.
bool session_active(controller::State s) {
    using controller::State;
    return s == State::countdown || s == State::running || s == State::paused ||
           s == State::stopping;
}

std::optional<std::uint16_t> simulator_port(const sim::EmbeddedSimulator* simulator) {
    if (simulator == nullptr) return std::nullopt;
    return simulator->port();
}

// The command table with the in_request test hook in front of every command.
class HookedDispatcher : public api::Dispatcher {
  public:
    HookedDispatcher(api::Dispatcher& inner, std::function<void()> hook)
        : inner_(inner), hook_(std::move(hook)) {}
    api::Reply dispatch(const std::string& cmd, const api::json& request) override {
        if (hook_) hook_();
        return inner_.dispatch(cmd, request);
    }
    void dispatch_async(const std::string& cmd, const api::json& request,
                        api::Respond respond) override {
        if (hook_) hook_();
        inner_.dispatch_async(cmd, request, std::move(respond));
    }
    api::json status() override { return inner_.status(); }

  private:
    api::Dispatcher& inner_;
    std::function<void()> hook_;
};

}  // namespace

Daemon::Daemon(DaemonOptions options)
    : options_(std::move(options)),
      log_(log_options()),
      simulator_(start_simulator(options_, log_)),
      hardware_(hardware_config(options_.config, simulator_port(simulator_.get()))),
      cycle_(hardware_, control_config(options_.config, options_.time_scale),
             [] { return SteadyClock::now(); }),
      catalog_(program_search_dirs(options_.config),
               load_profile(options_.config.profile_location().to_read(), log_),
               options_.config.limits),
      history_(options_.config.history_database, options_.time_scale,
               options_.config.profile_location(),
               [this](std::string line) { log(std::move(line)); }),
      worker_(io_),
      guard_([this](const char* where, const char* what) { on_exception(where, what); }),
      api_guard_([this](const char* where, const char* what) { on_api_exception(where, what); }),
      api_{cycle_,
           catalog_,
           [] { return SteadyClock::now(); },
           simulator_.get(),
           [this] {
               return loop_json(loop_.stats(), options_.config.control.period, log_.dropped());
           },
           &worker_,
           [this] { return history_.status_json(); }},
      pairing_api_{pairing_,
                   options_.config.pairing.file,
                   [] { return SteadyClock::now(); },
                   [] { return std::chrono::system_clock::now(); },
                   &worker_,
                   [this](const std::string& line) { log("warning: " + line); }},
      editor_api_{catalog_, options_.config.program_user_dir, &worker_},
      session_api_{session_tracker_, &worker_},
      metrics_(
          io_, worker_, options_.config.metrics.file, [this] { return modbus_counts(); },
          [this](std::string line) { log(std::move(line)); },
          maintenance_intervals(options_.config.maintenance)),
      commands_(api::make_controller_commands(api_)),
      dispatcher_(std::make_unique<HookedDispatcher>(commands_, options_.test_hooks.in_request)),
      loop_dispatcher_(io_, api_thread_.io(), *dispatcher_, status_snapshot_, guard_, api_guard_,
                       [this] { publish_status(); }),
      server_(api_thread_.io(), options_.config.api.socket, loop_dispatcher_,
              server_options(options_.config, log_, request_timing_)),
      heartbeat_(SteadyClock::now()),
      inhibitor_({std::nullopt, [this](std::string line) { log(std::move(line)); }}),
      loop_(io_, cycle_, heartbeat_, options_.config.control.period,
            [this](TimePoint now) { after_cycle(now); }),
      signals_(io_, SIGTERM, SIGINT) {
    cycle_.set_event_sink([this](TimePoint, const std::string& text) { log(text); });
    // Each start reads the profile again (on the worker): new references apply at once.
    catalog_.read_profile_at_each_load(options_.config.profile_location());
    history_.add_commands(commands_, worker_);
    cycle_.set_setpoint_sink([this](const controller::SetpointChange& c) {
        history_.on_setpoint(c);
        log(std::string(to_string(c.kind)) + " " + number("%.1f", c.from) + " -> " +
            number("%.1f", c.to) + " (" + std::string(to_string(c.cause)) + ": " + c.detail + ")");
    });
    auto paired = api::load_pairing_file(options_.config.pairing.file);
    for (auto& line : paired.log) log("warning: " + line);
    pairing_.set_devices(std::move(paired.devices));
    api::add_pairing_commands(commands_, pairing_api_);
    api::add_editor_commands(commands_, editor_api_);
    api::add_session_command(commands_, session_api_);
    metrics_.add_command(commands_);
    api_.maintenance_due = [this] { return metrics_.maintenance_due(); };
    api_.api_timing = [this] { return request_timing_.to_json(); };
    server_.set_guard(api_guard_);
    if (!options_.config.api.remote_socket.empty()) {
        remote_server_ = std::make_unique<api::ApiServer>(
            api_thread_.io(), options_.config.api.remote_socket, loop_dispatcher_,
            remote_server_options(options_.config, log_, request_timing_));
        remote_server_->set_guard(api_guard_);
    }
    worker_.set_guard(guard_);
    loop_.set_guard(guard_);
}

// The guard's handler, for every callback on io_: STOP first (ControlCycle::internal_fault
// writes it before it logs anything), then the log line; the loop keeps running in `fault`.
void Daemon::on_exception(const char* where, const char* what) noexcept {
    cycle_.internal_fault(SteadyClock::now(), where, what);
    try {
        log(std::string("internal error: exception in ") + where + ": " + what +
            "; belt stopped, fault latched");
    } catch (...) {
    }
}

// An exception on the API thread: the STOP and the latched fault are the loop's to write, so the
// fault goes there (it runs as soon as the loop is free: within one cycle).
void Daemon::on_api_exception(const char* where, const char* what) noexcept {
    try {
        boost::asio::post(
            io_, [this, where, text = std::string(what)] { on_exception(where, text.c_str()); });
    } catch (...) {
    }
}

Daemon::~Daemon() {
    api_thread_.stop([this] { close_servers_now(); });
}

// Called on the loop thread only (it reads the controller).
void Daemon::publish_status() {
    status_snapshot_.publish(api::current_status(api_));
}

void Daemon::stop_belt(const char* what) noexcept {
    cycle_.internal_fault(SteadyClock::now(), "treadmilld", what);
}

int Daemon::run() {
    const auto opened = server_.open();
    if (!opened) {
        log("cannot open the control socket: " + opened.error());
        return 1;
    }
    for (const auto& warning : *opened) log("warning: " + warning);
    log("control API on " + server_.path());
    if (!open_remote_socket()) {
        server_.close();
        return 1;
    }
    wait_signal();
    metrics_.start();
    publish_status();  // what `status` answers until the first cycle is done
    loop_.start();
    auto watchdog = watchdog_options_from_environment(options_.config.control.watchdog);
    if (!options_.config.metrics.file.empty())
        watchdog.mark_file = watchdog_mark_path(options_.config.metrics.file);
    watchdog_.emplace(heartbeat_, std::move(watchdog));
    log_start();
    // Below the loop's priority as it stands now (the watchdog's placement may have lowered it).
    api_thread_.start([loop = current_scheduling()] { run_below_loop(loop); });
    io_.run();
    api_thread_.stop([this] { close_servers_now(); });
    watchdog_.reset();
    save_pairing();
    metrics_.save_final();
    log("stopped");
    return 0;
}

// A pairing change whose write the stopped worker dropped is written now (the loop has ended,
// the belt is at rest), after the worker's last job, so that a revoke is never undone.
void Daemon::save_pairing() {
    const auto deadline = SteadyClock::now() + std::chrono::seconds(2);
    while (worker_.backlog() > 0 && SteadyClock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (const std::string error = api::save_pairing_now(pairing_api_); !error.empty())
        log("warning: pairing: " + error);
}

// The remote socket, when configured; a failure to open it stops the start like the local one.
bool Daemon::open_remote_socket() {
    if (!remote_server_) return true;
    const auto opened = remote_server_->open();
    if (!opened) {
        log("cannot open the remote control socket: " + opened.error());
        return false;
    }
    for (const auto& warning : *opened) log("warning: " + warning);
    log(std::string("remote control API on ") + remote_server_->path() +
        (options_.config.api.remote_adjust ? " (speed and incline allowed)"
                                           : " (watch, stop and pause only)"));
    return true;
}

void Daemon::close_servers() {
    if (!api_thread_.running()) return close_servers_now();
    boost::asio::post(api_thread_.io(), [this] { close_servers_now(); });
}

// On the API thread, or before it started / after it ended.
void Daemon::close_servers_now() {
    server_.close();
    if (remote_server_) remote_server_->close();
}

// The Modbus links' counts of this run: by board, or "bus" when both share one link.
std::map<std::string, metrics::ModbusCounts> Daemon::modbus_counts() const {
    using metrics::modbus_counts;
    if (hardware_.shared_bus())
        return {{"bus", modbus_counts(hardware_.link_statistics(Board::motor))}};
    return {{"motor", modbus_counts(hardware_.link_statistics(Board::motor))},
            {"incline", modbus_counts(hardware_.link_statistics(Board::incline))}};
}

void Daemon::log(std::string line) {
    log_.log(std::move(line));
}

// One line: the scheduling policy read back, the watchdog's place, whether memory is locked.
void Daemon::log_start() {
    const std::string memory = lock_memory();
    const std::string watchdog = place_watchdog_above_loop(watchdog_->native_handle());
    const Scheduling s = current_scheduling();
    std::string line = s.realtime() ? "real-time: loop at " + describe(s)
                                    : "not real-time: loop at " + describe(s);
    if (!watchdog.empty()) line += ", " + watchdog;
    line += memory.empty() ? "; memory locked" : "; memory not locked: " + memory;
    log(std::move(line));
}

void Daemon::wait_signal() {
    signals_.async_wait([this](boost::system::error_code ec, int) {
        if (ec) return;
        guard_.run("the signal handler", [this] { on_signal(); });
        wait_signal();  // a second signal changes nothing: the ramped stop goes on
    });
}

void Daemon::on_signal() {
    if (options_.test_hooks.in_signal) options_.test_hooks.in_signal();
    begin_shutdown();
}

void Daemon::after_cycle(TimePoint now) {
    if (options_.test_hooks.in_cycle) options_.test_hooks.in_cycle();
    // API requests wait out the last stretch before the next cycle (see ServerOptions).
    const TimePoint next_cycle = std::max(loop_.scheduled(), now) + options_.config.control.period;
    boost::asio::post(api_thread_.io(), [this, next_cycle] {
        api_guard_.run("the API's new period", [&] {
            server_.on_cycle(next_cycle);
            if (remote_server_) remote_server_->on_cycle(next_cycle);
        });
    });
    const auto status = cycle_.status(now);
    session_tracker_.observe(status, cycle_.timeline());
    metrics_.observe(now, status, cycle_.drive_telemetry(), session_tracker_);
    history_.after_cycle(cycle_, now);  // only queues records for the writer thread
    inhibitor_.want(session_active(cycle_.state()));
    if (shutting_down_) continue_shutdown(now);
    publish_status();  // the API thread answers `status` and `watch` from this
    // After the snapshot: a client told READY=1 (or a new STATUS=) asks `status` and must see
    // the state it was told about, not the cycle before.
    report_state(now);
}

// READY=1 once `connecting` gave way to `idle`; STATUS= on every change of state or reason.
void Daemon::report_state(TimePoint now) {
    if (!ready_sent_ && cycle_.ready() && !shutting_down_) {
        sd_notify("READY=1");
        ready_sent_ = true;
    }
    const auto status = cycle_.status(now);
    if (reported_state_ == status.state && reported_reason_ == status.reason) return;
    reported_state_ = status.state;
    reported_reason_ = status.reason;
    std::string text(controller::to_string(status.state));
    if (status.reason) text += ": " + *status.reason;
    if (status.fault) text += ": " + status.fault->code + " (" + status.fault->message + ")";
    log("state " + text);
    sd_notify("STATUS=" + text);
}

// SIGTERM: STOPPING=1 at once, no new commands, then a ramped stop.
void Daemon::begin_shutdown() {
    if (shutting_down_) return;
    shutting_down_ = true;
    sd_notify("STOPPING=1");
    log("stopping: ramping the belt down");
    loop_dispatcher_.close();  // a command already on its way from the API thread is refused
    close_servers();
    worker_.stop();  // a start still being read is never applied
    const TimePoint now = SteadyClock::now();
    shutdown_deadline_ = now + options_.shutdown_limit;
    cycle_.stop(now);  // refused when nothing runs; that is fine
}

void Daemon::continue_shutdown(TimePoint now) {
    using controller::State;
    const State state = cycle_.state();
    if (state == State::idle || state == State::fault || state == State::connecting) {
        return finish();
    }
    if (state == State::countdown || state == State::paused) cycle_.stop(now);
    if (now >= *shutdown_deadline_ && !shutdown_estop_) {
        log("the ramped stop took too long: emergency stop");
        cycle_.estop(now);
        shutdown_estop_ = true;
    }
}

void Daemon::finish() {
    loop_.stop();
    loop_dispatcher_.close();
    signals_.cancel();
    close_servers();
    worker_.stop();
    io_.stop();
}

}  // namespace treadmill::daemon
