// Opens a tty or pty raw with termios at a baud rate, parity and stop bits.
#pragma once

#include <string>

#include "sim/embedded_simulator.hpp"

namespace treadmill::sim {

// The opened, non-blocking file descriptor; throws std::runtime_error when it cannot be opened.
// Settings a pty refuses (parity) are not fatal: the port falls back to what it accepts.
int open_serial_port(const RtuEndpoint& endpoint, std::string& warning);

}  // namespace treadmill::sim
