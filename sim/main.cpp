// treadmill-sim: both boards of the register map on one Modbus bus (TCP or RTU), with physics
// and fault injection. Parses options, builds the runtime, runs until SIGINT/SIGTERM.
#include <boost/asio.hpp>
#include <iostream>

#include "sim/sim_options.hpp"
#include "sim/sim_runtime.hpp"

int main(int argc, char** argv) {
    using namespace treadmill::sim;
    auto parsed = parse_command_line(argc, argv);
    if (!parsed) {
        std::cerr << "treadmill-sim: " << parsed.error() << "\n" << usage_text();
        return 2;
    }
    if (parsed->help) {
        std::cout << usage_text();
        return 0;
    }
    const CommandLine& cl = *parsed;
    try {
        boost::asio::io_context io;
        SimRuntime runtime(io, cl.options);
        if (cl.tcp) runtime.serve_tcp(*cl.tcp);
        if (cl.rtu) runtime.serve_rtu(*cl.rtu);
        if (!cl.control_socket.empty()) runtime.serve_control(cl.control_socket);
        runtime.run_scenario(cl.scenario);
        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code&, int) {
            runtime.shutdown();
            io.stop();
        });
        if (!runtime.rtu_warning().empty()) {
            std::cerr << "treadmill-sim: warning: " << runtime.rtu_warning() << "\n";
        }
        std::cout << serving_line(cl, runtime.tcp_port()) << std::endl;
        io.run();
    } catch (const std::exception& e) {
        std::cerr << "treadmill-sim: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
