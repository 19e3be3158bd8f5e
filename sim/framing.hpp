// Modbus framing written here (not libmodbus) so faults can be injected byte by byte:
// RTU (CRC16, length from the function code, resync on t3.5 silence or bad CRC) and TCP (MBAP).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/clock.hpp"
#include "sim/bus_model.hpp"

namespace treadmill::sim {

using Bytes = std::vector<std::uint8_t>;

// Modbus CRC16 (poly 0xA001, init 0xFFFF); on the wire low byte first.
std::uint16_t crc16(std::span<const std::uint8_t> data);

// One request taken off the wire.
struct Frame {
    std::uint8_t unit = 0;
    Pdu pdu;
    std::uint16_t transaction = 0;  // TCP only
    std::size_t wire_bytes = 0;     // bytes of the whole frame
};

// t3.5 for a character format: 3.5 characters, fixed 1.75 ms above 19200 baud.
Duration rtu_t35(int baud, int bits_per_char);
// Wire time of `bytes` characters.
Duration rtu_char_time(int baud, int bits_per_char, std::size_t bytes);

// Cuts RTU request frames out of a byte stream. Never throws; bad input is dropped.
class RtuDecoder {
  public:
    static constexpr std::size_t kMaxFrame = 256;
    explicit RtuDecoder(Duration t35) : t35_(t35) {}
    // Bytes that arrived at `now`; returns the complete requests with a good CRC.
    std::vector<Frame> feed(TimePoint now, std::span<const std::uint8_t> bytes);
    std::size_t buffered() const { return buffer_.size(); }

  private:
    std::optional<Frame> take_frame();
    std::vector<std::uint8_t> buffer_;
    Duration t35_;
    std::optional<TimePoint> last_byte_;
};

// An RTU frame: unit, PDU, CRC (corrupted on request).
Bytes rtu_encode(std::uint8_t unit, const Pdu& pdu, bool corrupt_crc = false);

// Cuts Modbus TCP requests out of a stream; a broken header makes the stream unusable.
class TcpDecoder {
  public:
    // Bytes received; returns complete requests, or nullopt when the stream is broken.
    std::optional<std::vector<Frame>> feed(std::span<const std::uint8_t> bytes);

  private:
    std::vector<std::uint8_t> buffer_;
};

// A Modbus TCP reply frame (MBAP + PDU).
Bytes tcp_encode(std::uint16_t transaction, std::uint8_t unit, const Pdu& pdu);

}  // namespace treadmill::sim
