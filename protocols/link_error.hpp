// What went wrong in one Modbus transaction, as a value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace treadmill {

struct LinkError {
    enum class Kind {
        timeout,     // no (complete) reply within the response time-out
        crc,         // reply with a bad CRC (RTU) or a malformed frame
        wrong_unit,  // reply from another unit than the one asked
        exception,   // the board answered with a Modbus exception (see exception_code)
        io,          // the device or socket failed (EIO, ENODEV, connection refused...)
        bad_reply,   // well-formed reply that does not answer the request (length, function)
    };
    Kind kind = Kind::io;
    std::uint8_t exception_code = 0;  // 1..255 when kind == exception
    std::string message;
};

constexpr std::string_view to_string(LinkError::Kind kind) {
    switch (kind) {
        case LinkError::Kind::timeout:
            return "timeout";
        case LinkError::Kind::crc:
            return "crc";
        case LinkError::Kind::wrong_unit:
            return "wrong_unit";
        case LinkError::Kind::exception:
            return "exception";
        case LinkError::Kind::io:
            return "io";
        case LinkError::Kind::bad_reply:
            return "bad_reply";
    }
    return "unknown";
}

}  // namespace treadmill
