// The soak's main loop: processes, the scenario (programs, faults, recovery), the checks and
// the per-minute report. Wall time is read here only (this is the soak's event loop).
#pragma once

#include <chrono>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/soak_checker.hpp"
#include "bench/soak_probe.hpp"
#include "tests/e2e/e2e_rig.hpp"

namespace treadmill::soak {

struct Options {
    double minutes = 5;
    unsigned seed = 1;
    std::string transport = "tcp";
};

class SoakRunner {
  public:
    explicit SoakRunner(Options options);
    ~SoakRunner();
    int run();

  private:
    enum class Phase { idle, running, faulted, recovering };
    static constexpr double kNever = std::numeric_limits<double>::infinity();

    bool start_processes();
    void calibrate();
    double now_s() const;
    double sim_now() const { return now_s() + sim_offset_s_; }
    std::optional<nlohmann::json> api(const nlohmann::json& request);
    void poll_status();
    void note_trip(const nlohmann::json& fault);
    void step_scenario();
    void step_idle();
    void step_running();
    void step_faulted();
    void step_recovering();
    void start_program();
    void inject_fault();
    void send_reset();
    nlohmann::json sim(const nlohmann::json& command);
    void fetch_writes(double hold_back_s);
    void print_header();
    void print_minute(int minute);
    int finish();
    double uniform(double lo, double hi);
    int pick(int lo, int hi);

    Options options_;
    std::mt19937 rng_;
    CheckLimits limits_;
    SoakChecker checker_;
    std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
    std::optional<testing::PtyPair> pty_;
    std::unique_ptr<e2e::BoardProcess> board_;
    std::unique_ptr<e2e::DaemonProcess> daemon_;
    std::unique_ptr<testing::LineClient> client_;
    double sim_offset_s_ = 0;    // simulator wall seconds - soak seconds
    double epoch_offset_s_ = 0;  // epoch seconds - simulator seconds

    // Scenario.
    Phase phase_ = Phase::idle;
    std::string state_;
    double next_start_at_ = 0, fault_at_ = kNever, stop_at_ = kNever, recover_at_ = kNever;
    double recovering_since_ = 0, last_reset_at_ = 0;
    int request_id_ = 10;

    // Checks.
    double last_write_t_ = -1;
    std::vector<DriveWrite> pending_;
    std::string last_fault_since_;
    std::vector<std::string> other_violations_;

    // Counters.
    int programs_ = 0, faults_ = 0, trips_ = 0, stops_ = 0, api_timeouts_ = 0;
    std::map<std::string, int> faults_by_kind_, trips_by_code_;
    Latencies latencies_;
    // This minute's worst API service time and cycle length (bucket bounds, ms) and cycles over
    // 50 ms; -1 when the daemon does not report them. Starts the next minute.
    struct MinuteTimes {
        double server_max_ms = -1, cycle_max_ms = -1;
        long long long_cycles = -1;
    };
    MinuteTimes minute_times();
    nlohmann::json loop_;  // status.loop as last seen (null when the daemon has none)
    nlohmann::json api_;   // status.api as last seen (the server's service times)
    nlohmann::json loop_at_minute_, api_at_minute_;  // both at the start of the minute
};

}  // namespace treadmill::soak
