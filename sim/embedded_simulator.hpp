// The simulator as a library: both boards (units 1 and 2) on one Modbus bus, served over TCP or
// RTU by a background thread. The daemon embeds it (bus.transport: sim); tests start one per case.
// treadmill-sim is a thin main() around this class.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace treadmill::sim {

struct SimOptions {
    double time_scale = 1.0;  // physics (workout clock) runs this many times the wall clock
    double runner_mass_kg = 75.0;
    std::uint64_t noise_seed = 1;  // ADC noise, reproducible
};

struct TcpEndpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: an ephemeral port, see EmbeddedSimulator::port()
};

struct RtuEndpoint {
    std::string device;  // serial device or pty
    int baud = 19200;
    char parity = 'E';  // 'N', 'E', 'O' (applied to the tty; a pty ignores it)
    int data_bits = 8;
    int stop_bits = 1;
    // Wire-time emulation (--wire BAUD,FMT): wait the request's and reply's character times
    // plus t3.5 before answering. Off when absent.
    std::optional<int> wire_baud;
    int wire_bits_per_char = 11;  // 8E1 = 1 start + 8 data + 1 parity + 1 stop
};

class EmbeddedSimulator {
  public:
    // Starts serving at once; throws std::runtime_error when the endpoint cannot be opened.
    static std::unique_ptr<EmbeddedSimulator> start_tcp(const TcpEndpoint& ep,
                                                        const SimOptions& opt = {});
    static std::unique_ptr<EmbeddedSimulator> start_rtu(const RtuEndpoint& ep,
                                                        const SimOptions& opt = {});
    virtual ~EmbeddedSimulator() = default;

    // The TCP port actually bound (0 for RTU).
    virtual std::uint16_t port() const = 0;

    // One simulator-control command (the JSON of "Simulator control" in controller.md, e.g.
    // {"cmd":"key","present":false}); returns {"ok":true,...} or {"ok":false,"error":"..."}.
    // Thread safe: runs on the simulator's thread and waits for the answer.
    virtual nlohmann::json control(const nlohmann::json& command) = 0;

    // Stops serving and joins the thread (also done by the destructor).
    virtual void stop() = 0;
};

}  // namespace treadmill::sim
