#include "controller/daemon/config_loader.hpp"

#include <grp.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "controller/daemon/config_reader.hpp"
#include "controller/daemon/config_timing.hpp"
#include "protocols/link_config.hpp"

namespace treadmill::daemon {

namespace {

constexpr std::size_t kMaxConfigBytes = 256 * 1024;

using Fields = ConfigReader::Fields;

// A numeric address only: a name would be resolved (DNS) on every re-open of the link, on the
// control loop's thread, and could hold it up for seconds.
void read_host(ConfigReader& r, const YAML::Node& node, const std::string& where,
               std::string& host) {
    std::string text = host;
    r.read(node, text);
    if (is_numeric_host(text)) {
        host = text;
        return;
    }
    r.error(node.Mark(), where +
                             ".host must be a numeric IP address (e.g. 192.168.1.50 or "
                             "fe80::1), not '" +
                             text +
                             "': a name would be looked up on every reconnect, on the control "
                             "loop's thread");
}

void read_bus(ConfigReader& r, const YAML::Node& node, const std::string& where, BusConfig& bus) {
    int transport = static_cast<int>(bus.transport);
    int parity = bus.parity == 'N' ? 0 : bus.parity == 'E' ? 1 : 2;
    r.read_map(node, where,
               Fields{
                   {"transport",
                    [&](auto& n) {
                        r.read_choice(n, {"sim", "rtu", "tcp"}, transport);
                    }},
                   {"device", [&](auto& n) { r.read(n, bus.device); }},
                   {"baud", [&](auto& n) { r.read(n, bus.baud, 1200, 1000000); }},
                   {"parity",
                    [&](auto& n) {
                        r.read_choice(n, {"none", "even", "odd"}, parity);
                    }},
                   {"stop_bits", [&](auto& n) { r.read(n, bus.stop_bits, 1, 2); }},
                   {"host", [&](auto& n) { read_host(r, n, where, bus.host); }},
                   {"port", [&](auto& n) { r.read(n, bus.port, 1, 65535); }},
                   {"response_timeout", [&](auto& n) { r.read(n, bus.response_timeout); }},
               });
    bus.transport = static_cast<BusConfig::Transport>(transport);
    bus.parity = "NEO"[parity];
}

// A board's own `bus:` starts as a copy of the top-level bus.
void read_board_bus(ConfigReader& r, const YAML::Node& node, const std::string& where,
                    const BusConfig& top, std::optional<BusConfig>& out) {
    out = top;
    read_bus(r, node, where, *out);
}

void read_motor(ConfigReader& r, const YAML::Node& node, Config& c) {
    auto& m = c.motor;
    r.read_map(node, "motor",
               Fields{
                   {"unit", [&](auto& n) { r.read(n, m.unit, 1, 247); }},
                   {"max_frequency",
                    [&](auto& n) { r.read(n, m.max_frequency_hz, Dimension::frequency); }},
                   {"speed_at_max_frequency",
                    [&](auto& n) { r.read(n, m.speed_at_max_frequency_kmh, Dimension::speed); }},
                   {"comm_timeout", [&](auto& n) { r.read(n, m.comm_timeout); }},
                   {"bus", [&](auto& n) { read_board_bus(r, n, "motor.bus", c.bus, m.bus); }},
               });
}

void read_incline(ConfigReader& r, const YAML::Node& node, Config& c) {
    auto& i = c.incline;
    r.read_map(node, "incline",
               Fields{
                   {"unit", [&](auto& n) { r.read(n, i.unit, 1, 247); }},
                   {"comm_timeout", [&](auto& n) { r.read(n, i.comm_timeout); }},
                   {"bus", [&](auto& n) { read_board_bus(r, n, "incline.bus", c.bus, i.bus); }},
               });
}

void read_limits(ConfigReader& r, const YAML::Node& node, MachineLimits& l) {
    const auto q = [&](double& out, Dimension d) {
        return [&r, &out, d](const YAML::Node& n) { r.read(n, out, d); };
    };
    r.read_map(node, "limits",
               Fields{
                   {"min_speed", q(l.min_speed_kmh, Dimension::speed)},
                   {"max_speed", q(l.max_speed_kmh, Dimension::speed)},
                   {"min_incline", q(l.min_incline_pct, Dimension::percent)},
                   {"max_incline", q(l.max_incline_pct, Dimension::percent)},
                   {"accel", q(l.accel_kmh_per_s, Dimension::acceleration)},
                   {"decel", q(l.decel_kmh_per_s, Dimension::acceleration)},
                   {"estop_decel", q(l.estop_decel_kmh_per_s, Dimension::acceleration)},
                   {"incline_rate", q(l.incline_rate_pct_per_s, Dimension::incline_rate)},
                   {"speed_step", q(l.speed_step_kmh, Dimension::speed)},
               });
}

void read_control(ConfigReader& r, const YAML::Node& node, ControlConfig& c) {
    r.read_map(
        node, "control",
        Fields{
            {"period", [&](auto& n) { r.read(n, c.period); }},
            {"countdown", [&](auto& n) { r.read(n, c.countdown); }},
            {"max_pause", [&](auto& n) { r.read(n, c.max_pause); }},
            {"comm_loss_failures", [&](auto& n) { r.read(n, c.comm_loss_failures, 1, 100); }},
            {"watchdog", [&](auto& n) { r.read(n, c.watchdog); }},
        });
}

void read_root(ConfigReader& r, const YAML::Node& root, Config& c) {
    r.read_map(
        root, "",
        Fields{
            {"bus", [&](auto& n) { read_bus(r, n, "bus", c.bus); }},
            {"motor", [&](auto& n) { read_motor(r, n, c); }},
            {"incline", [&](auto& n) { read_incline(r, n, c); }},
            {"limits", [&](auto& n) { read_limits(r, n, c.limits); }},
            {"control", [&](auto& n) { read_control(r, n, c.control); }},
            {"api",
             [&](auto& n) {
                 r.read_map(
                     n, "api",
                     Fields{{"socket", [&](auto& v) { r.read(v, c.api.socket); }},
                            {"group", [&](auto& v) { r.read(v, c.api.group); }},
                            {"remote_socket", [&](auto& v) { r.read(v, c.api.remote_socket); }},
                            {"remote_group", [&](auto& v) { r.read(v, c.api.remote_group); }},
                            {"remote_adjust", [&](auto& v) { r.read(v, c.api.remote_adjust); }},
                            {"idle_timeout", [&](auto& v) { r.read(v, c.api.idle_timeout); }}});
             }},
            {"programs",
             [&](auto& n) {
                 r.read_map(n, "programs",
                            Fields{{"dirs", [&](auto& v) { r.read(v, c.program_dirs); }},
                                   {"user_dir", [&](auto& v) { r.read(v, c.program_user_dir); }}});
             }},
            {"pairing",
             [&](auto& n) {
                 r.read_map(n, "pairing",
                            Fields{{"file", [&](auto& v) { r.read(v, c.pairing.file); }}});
             }},
            {"metrics",
             [&](auto& n) {
                 r.read_map(n, "metrics",
                            Fields{{"file", [&](auto& v) { r.read(v, c.metrics.file); }}});
             }},
            {"maintenance",
             [&](auto& n) {
                 const auto interval = [&](const YAML::Node& v, std::optional<Duration>& out) {
                     Duration d{};
                     const std::size_t before = r.diagnostics().size();
                     r.read(v, d);
                     if (r.diagnostics().size() != before) return;
                     if (d <= Duration::zero())
                         return r.error(v.Mark(), "a maintenance interval must be above 0");
                     out = d;
                 };
                 r.read_map(
                     n, "maintenance",
                     Fields{
                         {"lubrication", [&](auto& v) { interval(v, c.maintenance.lubrication); }},
                         {"service", [&](auto& v) { interval(v, c.maintenance.service); }}});
             }},
            {"profile",
             [&](auto& n) {
                 r.read(n, c.profile);
                 c.profile_fallback.clear();  // a profile the config names is the only one
             }},
            {"history",
             [&](auto& n) {
                 r.read_map(n, "history",
                            Fields{{"database", [&](auto& v) { r.read(v, c.history_database); }}});
             }},
        });
}

// Checks between keys, located at the key that was written (or the file when it was not).
void check_consistency(ConfigReader& r, const YAML::Node& root, const Config& c) {
    const auto at = [&](const char* section, const char* key) {
        const YAML::Node s = root.IsMap() ? root[section] : YAML::Node();
        const YAML::Node k = s && s.IsMap() ? s[key] : YAML::Node();
        return k ? k.Mark() : (s ? s.Mark() : YAML::Mark::null_mark());
    };
    const auto& l = c.limits;
    if (l.min_speed_kmh <= 0 || l.min_speed_kmh >= l.max_speed_kmh)
        r.error(at("limits", "min_speed"), "min_speed must be above 0 and below max_speed");
    if (l.max_speed_kmh > c.motor.speed_at_max_frequency_kmh)
        r.error(at("limits", "max_speed"), "max_speed is above motor.speed_at_max_frequency");
    if (l.min_incline_pct > l.max_incline_pct)
        r.error(at("limits", "min_incline"), "min_incline is above max_incline");
    if (l.accel_kmh_per_s <= 0 || l.decel_kmh_per_s <= 0 || l.estop_decel_kmh_per_s <= 0 ||
        l.incline_rate_pct_per_s <= 0 || l.speed_step_kmh <= 0)
        r.error(at("limits", "accel"), "rates and speed_step must be above 0");
    if (c.control.period <= Duration::zero() || c.control.watchdog <= c.control.period)
        r.error(at("control", "watchdog"), "control.watchdog must be longer than control.period");
    if (c.api.idle_timeout < std::chrono::seconds(1))
        r.error(at("api", "idle_timeout"), "api.idle_timeout must be at least 1 s");
    if (!c.api.remote_socket.empty() && c.api.remote_socket == c.api.socket)
        r.error(at("api", "remote_socket"), "api.remote_socket must differ from api.socket");
    const bool motor_sim = c.motor_bus().transport == BusConfig::Transport::sim;
    const bool incline_sim = c.incline_bus().transport == BusConfig::Transport::sim;
    if (motor_sim != incline_sim)
        r.error(at("bus", "transport"), "transport 'sim' cannot be mixed with real hardware");
}

}  // namespace

ConfigLoad parse_config(std::string_view text, const std::string& file) {
    ConfigLoad load;
    ConfigReader reader(file);
    if (text.size() > kMaxConfigBytes) {
        reader.file_error("file larger than " + std::to_string(kMaxConfigBytes) + " bytes");
    } else if (auto bad = programs::utf8_diagnostic(text, file)) {
        reader.diagnostics().push_back(std::move(*bad));
    } else {
        try {
            const YAML::Node root = YAML::Load(std::string(text));
            if (!root.IsNull() && !root.IsMap())
                reader.error(root.Mark(), "expected a mapping");
            else {
                read_root(reader, root, load.config);
                if (!programs::has_errors(reader.diagnostics()))
                    check_consistency(reader, root, load.config);
                if (!programs::has_errors(reader.diagnostics()))
                    apply_timing_rules(reader, root, load.config);
            }
        } catch (const YAML::Exception& e) {
            reader.error(e.mark, e.msg);
        }
    }
    load.diagnostics = std::move(reader.diagnostics());
    return load;
}

ConfigLoad load_config(const std::string& path, bool named_explicitly) {
    ConfigLoad load;
    std::ifstream in(path, std::ios::binary);
    if (in) {
        std::ostringstream text;
        text << in.rdbuf();
        load = parse_config(text.str(), path);
    } else if (named_explicitly || std::filesystem::exists(path)) {
        load.diagnostics.push_back(
            {programs::Diagnostic::Severity::error, path, 0, 0, "cannot read the file"});
    }
    if (load.ok()) check_environment(load.config, path, load.diagnostics);
    return load;
}

void check_environment(const Config& config, const std::string& file,
                       programs::Diagnostics& diagnostics) {
    using Severity = programs::Diagnostic::Severity;
    if (getgrnam(config.api.group.c_str()) == nullptr) {
        diagnostics.push_back({Severity::warning, file, 0, 0,
                               "api.group '" + config.api.group +
                                   "' does not exist; the socket keeps the daemon's group"});
    }
    if (!config.api.remote_socket.empty() && getgrnam(config.api.remote_group.c_str()) == nullptr) {
        diagnostics.push_back({Severity::warning, file, 0, 0,
                               "api.remote_group '" + config.api.remote_group +
                                   "' does not exist; the remote socket keeps the daemon's group"});
    }
    const auto profile = config.profile_location();
    if (profile.reads_fallback()) {
        diagnostics.push_back({Severity::warning, file, 0, 0,
                               "profile: reading '" + profile.fallback +
                                   "' (the old default); `profile update-from-mile --yes` "
                                   "writes '" +
                                   profile.path + "', read from then on"});
    } else if (!std::filesystem::exists(profile.path)) {
        diagnostics.push_back(
            {Severity::warning, file, 0, 0,
             "profile '" + profile.path + "' is absent; programs need references or --pace"});
    }
}

}  // namespace treadmill::daemon
