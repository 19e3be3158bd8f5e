// treadmilld whose control loop stalls on demand, for the watchdog's real abort: the real Daemon
// with the in_cycle test hook sleeping 10 s once the file TRIGGER exists. The watchdog thread,
// its mark and std::abort() are the real ones. Usage: stalling_treadmilld CONFIG SOCKET TRIGGER
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "controller/daemon/config_loader.hpp"
#include "controller/daemon/daemon.hpp"

int main(int argc, char** argv) {
    using namespace treadmill::daemon;
    if (argc != 4) {
        std::cerr << "usage: stalling_treadmilld CONFIG SOCKET TRIGGER\n";
        return 2;
    }
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);  // the abort is expected: no core file
    const ConfigLoad load = load_config(argv[1], true);
    for (const auto& d : load.diagnostics) std::cerr << d.to_string() << "\n";
    if (!load.ok()) return 1;
    DaemonOptions options{load.config};
    options.config.api.socket = argv[2];
    const std::string trigger = argv[3];
    options.test_hooks.in_cycle = [trigger] {
        std::error_code ec;
        if (std::filesystem::exists(trigger, ec))
            std::this_thread::sleep_for(std::chrono::seconds(10));
    };
    Daemon daemon(std::move(options));
    return daemon.run();
}
