// treadmilld: parse options, load the config, build the daemon, run it (or only check the
// config, or probe the boards).
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "controller/daemon/config_loader.hpp"
#include "controller/daemon/daemon.hpp"
#include "controller/daemon/options.hpp"
#include "controller/daemon/probe.hpp"
#include "controller/daemon/realtime.hpp"

int main(int argc, char** argv) {
    using namespace treadmill::daemon;
    const auto options = parse_options(argc, argv);
    if (!options) return 2;
    if (options->action == CommandLine::Action::help) {
        std::cout << usage_text();
        return 0;
    }
    const std::string path = options->config_file.value_or(kDefaultConfigPath);
    const ConfigLoad load = load_config(path, options->config_file.has_value());
    for (const auto& d : load.diagnostics) std::cerr << d.to_string() << "\n";
    if (options->action == CommandLine::Action::check_config) {
        if (load.ok()) std::cout << path << ": ok\n";
        return load.ok() ? 0 : 1;
    }
    if (!load.ok()) return 1;
    if (options->action == CommandLine::Action::probe)
        return run_probe(load.config, options->scan, std::cout, std::cerr);
    DaemonOptions daemon_options{load.config, options->time_scale};
    if (options->socket) daemon_options.config.api.socket = *options->socket;
    if (options->time_scale != 1.0 && !load.config.simulated()) {
        std::cerr << "treadmilld: --time-scale is refused with real hardware\n";
        return 2;
    }
    std::optional<Daemon> daemon;  // outlives the try: the catch can still reach the hardware
    prepare_memory_for_locking();  // before the first thread starts
    try {
        daemon.emplace(std::move(daemon_options));
        return daemon->run();
    } catch (const std::exception& e) {
        if (daemon) daemon->stop_belt(e.what());  // STOP first, then the message
        std::cerr << "treadmilld: " << e.what() << "\n";
        return 1;
    } catch (...) {
        if (daemon) daemon->stop_belt("an exception of unknown type");
        std::cerr << "treadmilld: an exception of unknown type\n";
        return 1;
    }
}
