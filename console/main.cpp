// treadmill-console: the runner's touch screen in the browser, a client of treadmilld's API.
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "console/access_policy.hpp"
#include "console/console_config.hpp"
#include "console/console_server.hpp"
#include "console/tls_context.hpp"

namespace {

using namespace treadmill::console;

constexpr const char* kDefaultConfig = "/etc/treadmilld/console.yaml";
constexpr const char* kUsage =
    "usage: treadmill-console [--config FILE] [--listen ADDR:PORT] [--socket PATH]\n"
    "  --config FILE       settings (default /etc/treadmilld/console.yaml, if it exists)\n"
    "  --listen ADDR:PORT  where the page is served (default 127.0.0.1:8080; port 0 picks one)\n"
    "  --socket PATH       treadmilld's control socket (default /run/treadmilld/control.sock)\n";

int usage_error(const std::string& message) {
    std::cerr << "treadmill-console: " << message << "\n" << kUsage;
    return 2;
}

std::string host_name() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0) return {};
    return name;
}

}  // namespace

int main(int argc, char** argv) {
    std::optional<std::string> config_file, listen, socket;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        }
        if (i + 1 >= argc) return usage_error("unknown option or missing value: " + arg);
        const std::string value = argv[++i];
        if (arg == "--config")
            config_file = value;
        else if (arg == "--listen")
            listen = value;
        else if (arg == "--socket")
            socket = value;
        else
            return usage_error("unknown option " + arg);
    }
    ConsoleConfig config;
    const std::string path = config_file.value_or(kDefaultConfig);
    if (config_file || std::filesystem::exists(path)) {
        auto loaded = load_console_config(path);
        if (!loaded) {
            std::cerr << "treadmill-console: " << loaded.error() << "\n";
            return 2;
        }
        config = *loaded;
    }
    if (listen) {
        auto at = parse_listen(*listen);
        if (!at) return usage_error("--listen takes ADDR:PORT, e.g. 127.0.0.1:8080");
        config.listen = *at;
    }
    if (socket) config.socket = *socket;
    // TLS files are read now, once: a bad one stops the start (never a fallback to HTTP).
    std::shared_ptr<boost::asio::ssl::context> tls;
    if (config.tls) {
        auto made = make_tls_context(*config.tls);
        if (!made) {
            std::cerr << "treadmill-console: " << made.error() << "\n";
            return 2;
        }
        tls = *made;
    }

    boost::asio::io_context io;
    Hub hub(io, config, allowed_host_names(config.allowed_hosts, config.listen.host, host_name()));
    std::shared_ptr<Listener> listener;
    try {
        listener = std::make_shared<Listener>(io, hub, config.listen, tls);
    } catch (const std::exception& e) {
        std::cerr << "treadmill-console: cannot listen on " << config.listen.host << ":"
                  << config.listen.port << ": " << e.what() << "\n";
        return 1;
    }
    const std::string shown = config.listen.host.find(':') != std::string::npos
                                  ? "[" + config.listen.host + "]"
                                  : config.listen.host;
    std::cout << "listening on " << (tls ? "https" : "http") << "://" << shown << ":"
              << listener->port() << "/" << std::endl;
    std::cerr << "treadmill-console: daemon socket " << config.socket << std::endl;
    hub.start();
    listener->start();

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
        listener->stop();
        hub.stop();
        io.stop();
    });
    std::signal(SIGPIPE, SIG_IGN);
    io.run();
    return 0;
}
