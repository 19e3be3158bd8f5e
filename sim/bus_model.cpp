// Modbus PDU execution.
#include "sim/bus_model.hpp"

#include "protocols/register_map.hpp"

namespace treadmill::sim {

namespace ex = regmap::exception;

namespace {

constexpr std::uint8_t kReadHolding = 0x03;
constexpr std::uint8_t kWriteSingle = 0x06;
constexpr std::uint8_t kWriteMultiple = 0x10;

std::uint16_t word_at(std::span<const std::uint8_t> p, std::size_t i) {
    return static_cast<std::uint16_t>((p[i] << 8) | p[i + 1]);
}

void push_word(Pdu& pdu, std::uint16_t v) {
    pdu.push_back(static_cast<std::uint8_t>(v >> 8));
    pdu.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

Pdu read_holding(const RegisterBoard& board, std::span<const std::uint8_t> req) {
    if (req.size() != 5) return exception_pdu(kReadHolding, ex::kIllegalValue);
    const std::uint16_t start = word_at(req, 1);
    const std::uint16_t count = word_at(req, 3);
    if (count < 1 || count > 125) return exception_pdu(kReadHolding, ex::kIllegalValue);
    Pdu reply{kReadHolding, static_cast<std::uint8_t>(count * 2)};
    for (std::uint32_t a = start; a < std::uint32_t{start} + count; ++a) {
        const auto value = board.read(static_cast<std::uint16_t>(a));
        if (!value) return exception_pdu(kReadHolding, ex::kIllegalAddress);
        push_word(reply, *value);
    }
    return reply;
}

Pdu write_single(RegisterBoard& board, std::span<const std::uint8_t> req, TimePoint now,
                 const std::function<void(const WriteAttempt&)>& on_write) {
    if (req.size() != 5) return exception_pdu(kWriteSingle, ex::kIllegalValue);
    WriteAttempt attempt{word_at(req, 1), {word_at(req, 3)}, 0};
    attempt.exception = board.check_write(attempt.address, attempt.values[0]);
    if (attempt.exception == 0) board.write(attempt.address, attempt.values[0], now);
    on_write(attempt);
    if (attempt.exception != 0) return exception_pdu(kWriteSingle, attempt.exception);
    return Pdu(req.begin(), req.end());
}

// FC16: validated whole (address, then values), then applied at once.
Pdu write_multiple(RegisterBoard& board, std::span<const std::uint8_t> req, TimePoint now,
                   const std::function<void(const WriteAttempt&)>& on_write) {
    if (req.size() < 6) return exception_pdu(kWriteMultiple, ex::kIllegalValue);
    const std::uint16_t start = word_at(req, 1);
    const std::uint16_t count = word_at(req, 3);
    if (count < 1 || count > 123 || req[5] != count * 2 || req.size() != 6u + count * 2u) {
        return exception_pdu(kWriteMultiple, ex::kIllegalValue);
    }
    WriteAttempt attempt{start, {}, 0};
    for (std::size_t i = 0; i < count; ++i) attempt.values.push_back(word_at(req, 6 + 2 * i));
    std::uint8_t worst = 0;
    for (std::size_t i = 0; i < count && worst != ex::kIllegalAddress; ++i) {
        const auto address = static_cast<std::uint32_t>(start + i);
        const auto code = address > 0xFFFF ? ex::kIllegalAddress
                                           : board.check_write(static_cast<std::uint16_t>(address),
                                                               attempt.values[i]);
        if (code != 0 && (worst == 0 || code == ex::kIllegalAddress)) worst = code;
    }
    attempt.exception = worst;
    if (worst == 0) {
        for (std::size_t i = 0; i < count; ++i) {
            board.write(static_cast<std::uint16_t>(start + i), attempt.values[i], now);
        }
    }
    on_write(attempt);
    if (worst != 0) return exception_pdu(kWriteMultiple, worst);
    return Pdu{kWriteMultiple, req[1], req[2], req[3], req[4]};
}

}  // namespace

Pdu exception_pdu(std::uint8_t function, std::uint8_t code) {
    return Pdu{static_cast<std::uint8_t>(function | 0x80), code};
}

Pdu execute_pdu(RegisterBoard& board, std::span<const std::uint8_t> request, TimePoint now,
                const std::function<void(const WriteAttempt&)>& on_write) {
    if (request.empty()) return exception_pdu(0, ex::kIllegalFunction);
    switch (request[0]) {
        case kReadHolding:
            return read_holding(board, request);
        case kWriteSingle:
            return write_single(board, request, now, on_write);
        case kWriteMultiple:
            return write_multiple(board, request, now, on_write);
        default:
            return exception_pdu(request[0], ex::kIllegalFunction);
    }
}

}  // namespace treadmill::sim
