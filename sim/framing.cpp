// RTU and TCP framing.
#include "sim/framing.hpp"

#include <algorithm>

namespace treadmill::sim {

std::uint16_t crc16(std::span<const std::uint8_t> data) {
    std::uint16_t crc = 0xFFFF;
    for (auto byte : data) {
        crc ^= byte;
        for (int i = 0; i < 8; ++i) {
            crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA001)
                            : static_cast<std::uint16_t>(crc >> 1);
        }
    }
    return crc;
}

Duration rtu_char_time(int baud, int bits_per_char, std::size_t bytes) {
    const double seconds = static_cast<double>(bytes) * bits_per_char / std::max(1, baud);
    return std::chrono::duration_cast<Duration>(Seconds(seconds));
}

Duration rtu_t35(int baud, int bits_per_char) {
    if (baud > 19200) return std::chrono::microseconds(1750);
    return std::chrono::duration_cast<Duration>(Seconds(3.5 * bits_per_char / std::max(1, baud)));
}

namespace {

// Expected length of the request at the front of `b`: 0 = need more bytes, -1 = unknown.
long expected_length(std::span<const std::uint8_t> b) {
    if (b.size() < 2) return 0;
    switch (b[1]) {
        case 0x03:
        case 0x06:
            return 8;
        case 0x10:
            return b.size() < 7 ? 0 : 9 + b[6];
        default:
            return -1;
    }
}

bool crc_ok(std::span<const std::uint8_t> f) {
    if (f.size() < 4) return false;
    const auto crc = crc16(f.first(f.size() - 2));
    return f[f.size() - 2] == (crc & 0xFF) && f[f.size() - 1] == (crc >> 8);
}

Frame make_frame(std::span<const std::uint8_t> f) {
    Frame frame;
    frame.unit = f[0];
    frame.pdu.assign(f.begin() + 1, f.end() - 2);
    frame.wire_bytes = f.size();
    return frame;
}

}  // namespace

std::optional<Frame> RtuDecoder::take_frame() {
    while (!buffer_.empty()) {
        const std::span<const std::uint8_t> b(buffer_);
        const long len = expected_length(b);
        if (len == 0) return std::nullopt;
        if (len < 0) {
            // Unknown function: the whole buffer is one frame if its CRC holds.
            if (crc_ok(b)) {
                Frame f = make_frame(b);
                buffer_.clear();
                return f;
            }
            // Else look for a known request further on; failing that, wait for silence.
            for (std::size_t i = 1; i + 8 <= b.size(); ++i) {
                const auto rest = b.subspan(i);
                const long l = expected_length(rest);
                if (l > 0 && static_cast<std::size_t>(l) <= rest.size() &&
                    crc_ok(rest.first(static_cast<std::size_t>(l)))) {
                    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(i));
                    return take_frame();
                }
            }
            return std::nullopt;
        }
        if (static_cast<std::size_t>(len) > b.size()) return std::nullopt;
        const auto candidate = b.first(static_cast<std::size_t>(len));
        if (crc_ok(candidate)) {
            Frame f = make_frame(candidate);
            buffer_.erase(buffer_.begin(), buffer_.begin() + len);
            return f;
        }
        buffer_.erase(buffer_.begin());  // resync: drop one byte and try again
    }
    return std::nullopt;
}

std::vector<Frame> RtuDecoder::feed(TimePoint now, std::span<const std::uint8_t> bytes) {
    if (last_byte_ && now - *last_byte_ > t35_) buffer_.clear();  // silence ends a frame
    last_byte_ = now;
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    std::vector<Frame> frames;
    while (auto f = take_frame()) frames.push_back(std::move(*f));
    if (buffer_.size() > kMaxFrame) {
        buffer_.erase(buffer_.begin(), buffer_.end() - static_cast<long>(kMaxFrame));
    }
    return frames;
}

Bytes rtu_encode(std::uint8_t unit, const Pdu& pdu, bool corrupt_crc) {
    // Sized up front: growing from one byte trips a false -Warray-bounds in g++ 12 at -O3.
    Bytes out(pdu.size() + 1);
    out[0] = unit;
    std::copy(pdu.begin(), pdu.end(), out.begin() + 1);
    auto crc = crc16(out);
    if (corrupt_crc) crc ^= 0xA5A5;
    out.push_back(static_cast<std::uint8_t>(crc & 0xFF));
    out.push_back(static_cast<std::uint8_t>(crc >> 8));
    return out;
}

std::optional<std::vector<Frame>> TcpDecoder::feed(std::span<const std::uint8_t> bytes) {
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    std::vector<Frame> frames;
    while (buffer_.size() >= 7) {
        const auto word = [this](std::size_t i) {
            return static_cast<std::uint16_t>((buffer_[i] << 8) | buffer_[i + 1]);
        };
        const std::uint16_t protocol = word(2);
        const std::uint16_t length = word(4);
        if (protocol != 0 || length < 2 || length > 254) return std::nullopt;
        if (buffer_.size() < 6u + length) break;
        Frame f;
        f.transaction = word(0);
        f.unit = buffer_[6];
        f.pdu.assign(buffer_.begin() + 7, buffer_.begin() + 6 + length);
        f.wire_bytes = 6u + length;
        buffer_.erase(buffer_.begin(), buffer_.begin() + 6 + length);
        frames.push_back(std::move(f));
    }
    return frames;
}

Bytes tcp_encode(std::uint16_t transaction, std::uint8_t unit, const Pdu& pdu) {
    const auto length = static_cast<std::uint16_t>(pdu.size() + 1);
    Bytes out{
        static_cast<std::uint8_t>(transaction >> 8), static_cast<std::uint8_t>(transaction), 0,   0,
        static_cast<std::uint8_t>(length >> 8),      static_cast<std::uint8_t>(length),      unit};
    out.resize(out.size() + pdu.size());  // not insert(): see rtu_encode
    std::copy(pdu.begin(), pdu.end(), out.end() - static_cast<long>(pdu.size()));
    return out;
}

}  // namespace treadmill::sim
