// The command line of treadmill-sim.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "sim/embedded_simulator.hpp"
#include "sim/scenario.hpp"

namespace treadmill::sim {

struct CommandLine {
    std::optional<TcpEndpoint> tcp;
    std::optional<RtuEndpoint> rtu;
    std::string control_socket;
    std::vector<ScenarioStep> scenario;  // loaded from --scenario
    SimOptions options;
    bool help = false;
};

// Parses argv (and loads the scenario file); an error message on bad usage.
Result<CommandLine, std::string> parse_command_line(int argc, char** argv);
std::string usage_text();
// The one line printed once serving.
std::string serving_line(const CommandLine& cl, std::uint16_t tcp_port);

// "19200,8E1" → baud and bits per character; "N", "none", "even"... → 'N', 'E', 'O'.
Result<RtuEndpoint, std::string> parse_wire(const std::string& text, RtuEndpoint ep);
Result<char, std::string> parse_parity(const std::string& text);

}  // namespace treadmill::sim
