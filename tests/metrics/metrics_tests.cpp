// The treadmill's metrics: counting from each cycle's status under a hand-advanced clock, the
// state file (round trip, unclean end, a corrupt file moved aside), the exposition writer
// (escaping, names) and the whole `metrics` reply in the Prometheus text format, checked by two
// independent readers: `promtool check metrics` and python3-prometheus-client's parser.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "controller/metrics/maintenance_view.hpp"
#include "controller/metrics/metric_counters.hpp"
#include "controller/metrics/metrics_exposition.hpp"
#include "controller/metrics/metrics_file.hpp"
#include "controller/metrics/prometheus_text.hpp"
#include "controller/session.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
namespace m = treadmill::metrics;
namespace c = treadmill::controller;
namespace t = treadmill::testing;
using treadmill::TimePoint;

namespace {

c::Status moving(double roller_kmh, double target_kmh) {
    c::Status s;
    s.state = c::State::running;
    s.speed.actual_kmh = roller_kmh;
    s.speed.target_kmh = target_kmh;
    s.incline.target_pct = 0;
    s.incline.actual_pct = 0;
    return s;
}

c::FaultStatus fault(const char* code) {
    return c::FaultStatus{code, "test", TimePoint{}, std::nullopt};
}

// A sample reply with every kind of field filled.
json sample_metrics() {
    m::MetricsRecorder r;
    TimePoint now{};
    treadmill::DriveTelemetry drive;
    drive.current_a = 3.25;
    drive.dc_bus_v = 311;
    for (int i = 0; i < 20; ++i, now += 100ms) r.observe(now, moving(10.8, 10.8), drive);
    auto faulted = moving(0, 0);
    faulted.state = c::State::fault;
    faulted.fault = fault("comm_loss");
    r.observe(now, faulted, std::nullopt);
    r.session_ended("fault");
    treadmill::LinkStatistics motor;
    motor.good = 1000;
    motor.failures = 4;
    motor.failures_by_kind[static_cast<std::size_t>(treadmill::LinkError::Kind::timeout)] = 3;
    motor.failures_by_kind[static_cast<std::size_t>(treadmill::LinkError::Kind::io)] = 1;
    const auto totals = r.totals({{"motor", m::modbus_counts(motor)},
                                  {"incline", m::modbus_counts(treadmill::LinkStatistics{})}});
    m::Gauges gauges = r.gauges();
    gauges.motor_current_a = 3.25;
    gauges.dc_bus_v = 311;
    gauges.incline_pct = 2.5;
    return m::metrics_json(totals, gauges);
}

}  // namespace

TEST_CASE("belt time and distance accumulate while the roller turns; starts and moves are edges") {
    m::MetricsRecorder r;
    TimePoint now{};
    r.observe(now, moving(0, 0), std::nullopt);
    for (int i = 0; i < 10; ++i) r.observe(now += 100ms, moving(0, 0), std::nullopt);
    CHECK(r.counters().belt_running_s == 0);
    CHECK(r.counters().motor_starts == 0);
    for (int i = 0; i < 100; ++i) r.observe(now += 100ms, moving(36, 36), std::nullopt);  // 10 m/s
    CHECK(r.counters().belt_running_s == doctest::Approx(10.0));
    CHECK(r.counters().belt_distance_m == doctest::Approx(100.0));
    CHECK(r.counters().motor_starts == 1);
    r.observe(now += 10s, moving(36, 36), std::nullopt);  // a gap counts as one second at most
    CHECK(r.counters().belt_running_s == doctest::Approx(11.0));
    r.observe(now += 100ms, moving(1, 0), std::nullopt);  // ramping down
    r.observe(now += 100ms, moving(0, 0), std::nullopt);
    r.observe(now += 100ms, moving(3, 5), std::nullopt);  // a second start
    CHECK(r.counters().motor_starts == 2);

    auto s = moving(5, 5);
    s.incline.target_pct = 2;
    r.observe(now += 100ms, s, std::nullopt);
    r.observe(now += 100ms, s, std::nullopt);
    s.incline.target_pct = 4;
    r.observe(now += 100ms, s, std::nullopt);
    CHECK(r.counters().incline_moves == 2);
}

TEST_CASE("each latched fault counts once by code; safety stops by source") {
    m::MetricsRecorder r;
    TimePoint now{};
    auto s = moving(0, 0);
    s.state = c::State::fault;
    s.fault = fault("safety_key");
    for (int i = 0; i < 5; ++i) r.observe(now += 100ms, s, std::nullopt);
    s.later_faults.push_back(fault("comm_loss"));
    for (int i = 0; i < 5; ++i) r.observe(now += 100ms, s, std::nullopt);
    s.fault.reset();
    s.later_faults.clear();
    s.state = c::State::idle;
    r.observe(now += 100ms, s, std::nullopt);
    for (const char* code : {"estop", "loop_stall", "belt_stall"}) {
        s.fault = fault(code);
        r.observe(now += 100ms, s, std::nullopt);
        r.observe(now += 100ms, s, std::nullopt);
        s.fault.reset();
        r.observe(now += 100ms, s, std::nullopt);
    }
    const auto& f = r.counters().faults;
    CHECK(f.at("safety_key") == 1);
    CHECK(f.at("comm_loss") == 1);
    CHECK(f.at("estop") == 1);
    CHECK(f.at("loop_stall") == 1);
    CHECK(f.at("belt_stall") == 1);
    const auto& stops = r.counters().safety_stops;
    CHECK(stops.at("key") == 1);
    CHECK(stops.at("comm_loss") == 1);
    CHECK(stops.at("estop") == 1);
    CHECK(stops.at("watchdog") == 1);
    CHECK(stops.count("belt_stall") == 0);
}

TEST_CASE("the gauges follow the last cycle; no drive telemetry means no current or voltage") {
    m::MetricsRecorder r;
    treadmill::DriveTelemetry drive;
    drive.current_a = 4.5;
    drive.dc_bus_v = 320;
    r.observe(TimePoint{}, moving(8, 8), drive);
    CHECK(r.gauges().motor_current_a == 4.5);
    CHECK(r.gauges().dc_bus_v == 320);
    CHECK(r.gauges().state == "running");
    r.observe(TimePoint{} + 100ms, moving(8, 8), std::nullopt);
    CHECK_FALSE(r.gauges().motor_current_a);
    CHECK_FALSE(r.gauges().dc_bus_v);
}

TEST_CASE("the Modbus counts of this run add to the saved ones") {
    m::Counters saved;
    saved.modbus["motor"] = {10, 1, 2, 3, 4};
    m::MetricsRecorder r(saved);
    treadmill::LinkStatistics s;
    s.good = 5;
    s.failures = 3;
    s.failures_by_kind[static_cast<std::size_t>(treadmill::LinkError::Kind::crc)] = 2;
    s.failures_by_kind[static_cast<std::size_t>(treadmill::LinkError::Kind::bad_reply)] = 1;
    const auto total = r.totals({{"motor", m::modbus_counts(s)}});
    CHECK(total.modbus.at("motor") == m::ModbusCounts{15, 1, 4, 3, 5});
}

TEST_CASE("the state file: round trip, the clean flag, a corrupt file moved aside") {
    const std::string dir = t::make_temp_dir();
    const std::string path = dir + "/metrics.json";
    auto absent = m::load_metrics_file(path);
    CHECK_FALSE(absent.found);
    CHECK(absent.clean);

    m::Counters c;
    c.belt_running_s = 12.5;
    c.belt_distance_m = 40;
    c.motor_starts = 3;
    c.sessions["completed"] = 2;
    c.faults["comm_loss"] = 1;
    c.safety_stops["comm_loss"] = 1;
    c.modbus["bus"] = {100, 1, 0, 0, 0};
    c.starts = 4;
    c.unclean_exits = 1;
    REQUIRE(m::write_metrics_file(path, c, false));
    const auto running = m::load_metrics_file(path);
    CHECK_MESSAGE(running.log.empty(), (running.log.empty() ? "" : running.log[0]));
    CHECK(running.found);
    CHECK_FALSE(running.clean);
    CHECK(running.counters.to_json() == c.to_json());
    REQUIRE(m::write_metrics_file(path, c, true));
    CHECK(m::load_metrics_file(path).clean);
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));

    std::ofstream(path) << "{\"version\":1,\"clean\":true,\"counters\":{\"motor_starts\":\"x\"}";
    const auto corrupt = m::load_metrics_file(path);
    CHECK_FALSE(corrupt.found);
    CHECK(corrupt.counters.motor_starts == 0);
    REQUIRE(corrupt.log.size() == 1);
    CHECK(corrupt.log[0].find("moved to " + path + ".corrupt") != std::string::npos);
    CHECK(std::filesystem::exists(path + ".corrupt"));  // kept for a person to look at
    CHECK_FALSE(std::filesystem::exists(path));
    std::filesystem::remove_all(dir);
}

TEST_CASE("the exposition writer: escaping, numbers, names checked") {
    m::PrometheusText out;
    out.family("treadmill_x_total", m::PrometheusText::Type::counter, "line\\one\ntwo");
    out.sample(3, {{"a", "q\"uote\\back\nnl"}});
    out.sample(0.25);
    CHECK(out.text() ==
          "# HELP treadmill_x_total line\\\\one\\ntwo\n# TYPE treadmill_x_total counter\n"
          "treadmill_x_total{a=\"q\\\"uote\\\\back\\nnl\"} 3\ntreadmill_x_total 0.25\n");
    CHECK_THROWS(out.family("treadmill_x", m::PrometheusText::Type::counter, "no _total"));
    CHECK_THROWS(out.family("9bad", m::PrometheusText::Type::gauge, ""));
    CHECK_THROWS(out.sample(1, {{"__reserved", "x"}}));
    CHECK(m::prometheus_number(1e20) == "1e+20");
    CHECK(m::prometheus_number(0.1 + 0.2) == "0.30000000000000004");  // exact, shortest
    CHECK(m::prometheus_number(2.5) == "2.5");
    CHECK(m::prometheus_number(-0.5) == "-0.5");
    CHECK(m::prometheus_number(std::nan("")) == "NaN");
}

TEST_CASE("the state labels are the controller's states, in order") {
    for (std::size_t i = 0; i < m::kStates.size(); ++i)
        CHECK(c::to_string(static_cast<c::State>(i)) == m::kStates[i]);
}

TEST_CASE("the metrics reply in the exposition format: names, units, and labels") {
    const std::string text = m::prometheus_exposition(sample_metrics());
    INFO(text);
    // 20 cycles 100 ms apart at 3 m/s: 19 intervals.
    CHECK(text.find("treadmill_belt_running_seconds_total 1.9") != std::string::npos);
    CHECK(text.find("treadmill_belt_distance_metres_total 5.69") != std::string::npos);
    CHECK(text.find("treadmill_motor_starts_total 1\n") != std::string::npos);
    CHECK(text.find("treadmill_sessions_total{ended=\"fault\"} 1\n") != std::string::npos);
    CHECK(text.find("treadmill_sessions_total{ended=\"completed\"} 0\n") != std::string::npos);
    CHECK(text.find("treadmill_faults_total{code=\"comm_loss\"} 1\n") != std::string::npos);
    CHECK(text.find("treadmill_safety_stops_total{source=\"comm_loss\"} 1\n") != std::string::npos);
    CHECK(text.find("treadmill_safety_stops_total{source=\"key\"} 0\n") != std::string::npos);
    CHECK(text.find("treadmill_modbus_transactions_total{board=\"motor\",result=\"ok\"} 1000\n") !=
          std::string::npos);
    CHECK(
        text.find("treadmill_modbus_transactions_total{board=\"motor\",result=\"timeout\"} 3\n") !=
        std::string::npos);
    CHECK(text.find("treadmill_modbus_transactions_total{board=\"motor\",result=\"other\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("treadmill_incline_ratio 0.025\n") != std::string::npos);
    CHECK(text.find("treadmill_motor_current_amperes 3.25\n") != std::string::npos);
    CHECK(text.find("treadmill_belt_speed_metres_per_second 0\n") != std::string::npos);
    CHECK(text.find("treadmill_state{state=\"fault\"} 1\n") != std::string::npos);
    CHECK(text.find("treadmill_state{state=\"idle\"} 0\n") != std::string::npos);
}

TEST_CASE("promtool check metrics accepts the exposition") {
    const std::string dir = t::make_temp_dir();
    const std::string file = dir + "/metrics.prom";
    std::ofstream(file) << m::prometheus_exposition(sample_metrics());
    const auto result = t::run_command({"/bin/sh", "-c", "promtool check metrics < " + file}, 30s);
    INFO(result.output);
    CHECK(result.exit_code == 0);
    CHECK(result.output.find("error") == std::string::npos);
    // And it would not accept a broken one (so the check means something).
    std::ofstream(file) << "# TYPE treadmill_x counter\ntreadmill_x{a=\"b} 1\n";
    const auto broken = t::run_command({"/bin/sh", "-c", "promtool check metrics < " + file}, 30s);
    CHECK(broken.exit_code != 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("python3-prometheus-client's parser reads every family with its samples") {
    const std::string dir = t::make_temp_dir();
    const std::string file = dir + "/metrics.prom";
    std::ofstream(file) << m::prometheus_exposition(sample_metrics());
    const std::string script =
        "import sys\n"
        "from prometheus_client.parser import text_string_to_metric_families\n"
        "for f in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
        "    for s in f.samples:\n"
        "        print(f.type, s.name, sorted(s.labels.items()), s.value)\n";
    const auto result = t::run_command({"/usr/bin/python3", "-c", script, file}, 30s);
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    CHECK(result.output.find("counter treadmill_motor_starts_total [] 1.0") != std::string::npos);
    CHECK(
        result.output.find("counter treadmill_safety_stops_total [('source', 'comm_loss')] 1.0") !=
        std::string::npos);
    CHECK(result.output.find("gauge treadmill_dc_bus_volts [] 311.0") != std::string::npos);
    CHECK(result.output.find("gauge treadmill_state [('state', 'fault')] 1.0") !=
          std::string::npos);
    std::filesystem::remove_all(dir);
}

// The text of a file of the source tree's docs/examples.
std::string example(const std::string& name) {
    std::ifstream in(std::string(TREADMILL_SOURCE_DIR) + "/docs/examples/" + name);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST_CASE(
    "the Prometheus examples: promtool accepts the config and the rules, and the rules' tests "
    "pass") {
    const std::string dir = t::make_temp_dir();
    for (const char* name : {"prometheus.yml", "treadmill-rules.yml", "treadmill-rules.test.yml"})
        std::ofstream(dir + "/" + name) << example(name);
    std::ofstream(dir + "/treadmill-metrics.token") << "secret\n";
    const auto config =
        t::run_command({"promtool", "check", "config", dir + "/prometheus.yml"}, 30s);
    INFO(config.output);
    CHECK(config.exit_code == 0);
    const auto tests =
        t::run_command({"promtool", "test", "rules", dir + "/treadmill-rules.test.yml"}, 30s);
    INFO(tests.output);
    CHECK(tests.exit_code == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("every metric the Grafana dashboard and the alert rules use is one the daemon exposes") {
    const std::string text = m::prometheus_exposition(sample_metrics());
    const std::regex name(R"(treadmill_[a-z_]+)");
    std::size_t used = 0;
    for (const char* file : {"grafana-dashboard.json", "treadmill-rules.yml"}) {
        const std::string body = example(file);
        for (auto it = std::sregex_iterator(body.begin(), body.end(), name);
             it != std::sregex_iterator(); ++it, ++used) {
            const std::string metric = it->str();
            INFO(std::string(file) << " uses " << metric);
            CHECK(text.find("# TYPE " + metric + " ") != std::string::npos);
        }
    }
    CHECK(used >= 10);
    // The dashboard is JSON Grafana can import: a title, panels with queries, the input to bind.
    const auto dashboard = json::parse(example("grafana-dashboard.json"));
    CHECK(dashboard.at("panels").size() >= 6);
    CHECK(dashboard.at("__inputs").at(0).at("name") == "DS_PROMETHEUS");
}

TEST_CASE("the maintenance view: hours since each item, due past its interval, a reset by done") {
    m::MetricsRecorder r;
    TimePoint now{};
    for (int i = 0; i <= 36000; ++i) r.observe(now += 100ms, moving(10.8, 10.8), std::nullopt);
    const m::MaintenanceIntervals intervals{{"lubrication", 0.5}, {"service", 2.0}};
    json view = m::maintenance_json(r.counters(), intervals);
    CHECK(view["belt_hours"].get<double>() == doctest::Approx(1.0));
    CHECK(view["belt_distance_m"].get<double>() == doctest::Approx(10800));
    REQUIRE(view["items"].size() == 2);
    CHECK(view["items"][0]["item"] == "lubrication");
    CHECK(view["items"][0]["due"] == true);
    CHECK(view["items"][0]["last_done"].is_null());
    CHECK(view["items"][1]["due"] == false);
    CHECK(m::maintenance_due(r.counters(), intervals) == json::array({"lubrication"}));

    r.maintenance_done("lubrication", 1'800'000'000);
    for (int i = 0; i < 9000; ++i) r.observe(now += 100ms, moving(10.8, 10.8), std::nullopt);
    view = m::maintenance_json(r.counters(), intervals);
    CHECK(view["items"][0]["since_h"].get<double>() == doctest::Approx(0.25));
    CHECK(view["items"][0]["since_m"].get<double>() == doctest::Approx(2700));
    CHECK(view["items"][0]["due"] == false);
    CHECK(view["items"][0]["last_done"] == "2027-01-15T08:00:00Z");
    CHECK(view["items"][1]["since_h"].get<double>() == doctest::Approx(1.25));
    CHECK(m::maintenance_due(r.counters(), intervals).empty());
    // The marks survive the state file.
    const auto back = m::Counters::from_json(r.counters().to_json());
    CHECK(back.maintenance.at("lubrication").done_at == 1'800'000'000);
    CHECK(back.maintenance.at("lubrication").belt_running_s == doctest::Approx(3600));
}
