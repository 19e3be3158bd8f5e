// Virtual-time helpers for the simulator's pure tests: a clock advanced by hand and Modbus
// requests built as PDUs and passed straight to Simulator::handle.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "protocols/register_map.hpp"
#include "sim/simulator.hpp"

namespace treadmill::sim::testing {

using namespace std::chrono_literals;

// Outcome of one request: the values read (FC03), or the exception code, or no reply.
struct Answer {
    bool replied = false;
    std::uint8_t exception = 0;
    std::vector<std::uint16_t> values;
};

class VirtualBench {
  public:
    explicit VirtualBench(SimOptions options = {}) : sim(now, options) {}

    // Advances the wall clock in 10 ms steps, ticking the simulator like the server does.
    void run_for(Duration d) {
        const TimePoint end = now + d;
        while (now < end) {
            now = std::min(end, now + std::chrono::milliseconds(10));
            sim.advance(now);
        }
    }

    Answer read(std::uint8_t unit, std::uint16_t address, std::uint16_t count) {
        return send(unit, {0x03, hi(address), lo(address), hi(count), lo(count)});
    }
    Answer write(std::uint8_t unit, std::uint16_t address, std::uint16_t value) {
        return send(unit, {0x06, hi(address), lo(address), hi(value), lo(value)});
    }
    Answer write_many(std::uint8_t unit, std::uint16_t address,
                      const std::vector<std::uint16_t>& values) {
        Pdu pdu{0x10,
                hi(address),
                lo(address),
                0,
                static_cast<std::uint8_t>(values.size()),
                static_cast<std::uint8_t>(values.size() * 2)};
        for (auto v : values) {
            pdu.push_back(hi(v));
            pdu.push_back(lo(v));
        }
        return send(unit, pdu);
    }
    // One register's value (fails the test when it cannot be read).
    std::uint16_t reg(std::uint8_t unit, std::uint16_t address) {
        const Answer a = read(unit, address, 1);
        return a.replied && a.exception == 0 && !a.values.empty() ? a.values[0] : 0xDEAD;
    }
    nlohmann::json control(const nlohmann::json& c) { return sim.control(now, c); }

    Answer send(std::uint8_t unit, const Pdu& pdu) {
        last_plan = sim.handle(now, unit, pdu);
        Answer a;
        a.replied = last_plan.send;
        if (!a.replied || last_plan.pdu.empty()) return a;
        if (last_plan.pdu[0] & 0x80) {
            a.exception = last_plan.pdu.size() > 1 ? last_plan.pdu[1] : 0xFF;
        } else if (last_plan.pdu[0] == 0x03) {
            for (std::size_t i = 2; i + 1 < last_plan.pdu.size(); i += 2) {
                a.values.push_back(
                    static_cast<std::uint16_t>((last_plan.pdu[i] << 8) | last_plan.pdu[i + 1]));
            }
        }
        return a;
    }

    TimePoint now{std::chrono::seconds(1000)};
    Simulator sim;
    ReplyPlan last_plan;

  private:
    static std::uint8_t hi(std::uint16_t v) { return static_cast<std::uint8_t>(v >> 8); }
    static std::uint8_t lo(std::uint16_t v) { return static_cast<std::uint8_t>(v & 0xFF); }
};

// Belt speed as the roller reports it, km/h.
inline double roller_kmh(VirtualBench& b) {
    return b.reg(regmap::kInclineUnit, regmap::incline::kRollerSpeed) / 100.0;
}

}  // namespace treadmill::sim::testing
