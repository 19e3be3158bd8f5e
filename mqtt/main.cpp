// treadmill-mqtt: bridges treadmilld's control API to an MQTT broker (docs/fleet-mqtt.md; what it
// publishes and accepts: docs/fleet.md).
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <optional>

#include <boost/asio.hpp>

#include "mqtt/bridge.hpp"
#include "mqtt/bridge_config.hpp"

namespace {

std::string host_name() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "treadmill";
    return name;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace treadmill::mqtt;
    const auto parsed =
        parse_command_line(std::vector<std::string>(argv + 1, argv + argc), host_name());
    if (!parsed) {
        std::cerr << "treadmill-mqtt: " << parsed.error() << std::endl;
        return 2;
    }
    if (parsed->help) {
        std::cout << usage_text();
        return 0;
    }
    if (parsed->version) {
        std::cout << "treadmill-mqtt " << TREADMILL_VERSION << "\n";
        return 0;
    }
    for (const auto& warning : parsed->warnings) {
        std::cerr << "treadmill-mqtt: warning: " << warning << std::endl;
    }
    std::signal(SIGPIPE, SIG_IGN);
    boost::asio::io_context io;
    std::optional<Bridge> made;
    try {
        made.emplace(io, parsed->config);
    } catch (const std::exception& e) {  // a setting libmosquitto rejects (tls files ...)
        std::cerr << "treadmill-mqtt: " << e.what() << std::endl;
        return 1;
    }
    Bridge& bridge = *made;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        bridge.stop();
        io.stop();
    });
    std::cerr << "treadmill-mqtt: prefix " << parsed->config.prefix << ", broker "
              << parsed->config.broker_host << ":" << parsed->config.broker_port << ", socket "
              << parsed->config.socket << std::endl;
    bridge.start();
    io.run();
    return 0;
}
