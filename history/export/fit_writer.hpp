// The FIT container (Garmin's Flexible and Interoperable Data Transfer protocol): the CRC, the
// 14-byte file header, and definition + data messages. Knows bytes and base types, not sports;
// fit_export.cpp fills it from a session.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace treadmill::history::fit {

// FIT's CRC-16 (the reflected 0x8005 polynomial, initial 0: CRC-16/ARC), continuing from `crc`.
std::uint16_t crc16(std::string_view bytes, std::uint16_t crc = 0);

// Base types (FIT profile, "Base Types") used by the exporter.
enum class BaseType : std::uint8_t {
    enum_ = 0x00,
    uint8 = 0x02,
    string = 0x07,
    sint16 = 0x83,
    uint16 = 0x84,
    uint32 = 0x86,
    uint32z = 0x8C,
};

// One field of a message: its number in the profile, its base type, and the value already
// scaled to an integer (ignored for strings) or the text.
struct Field {
    std::uint8_t number = 0;
    BaseType type = BaseType::uint8;
    std::int64_t value = 0;
    std::string text;  // for BaseType::string; written with its NUL
};

// FIT time: seconds since 1989-12-31T00:00:00Z.
inline constexpr std::int64_t unix_to_fit_offset_s = 631065600;
std::uint32_t fit_time(std::int64_t utc_ms);

// A value stored as the profile says, round((value + offset) * scale), clamped
// into the type's valid range so it never becomes the "invalid" marker.
std::int64_t scaled(double value, double scale, double offset, BaseType type);

// Writes messages; a definition precedes the first message of each layout (global number and
// field list), using one local message type per layout.
class Writer {
  public:
    void message(std::uint16_t global_number, const std::vector<Field>& fields);
    // The whole file: header (with its CRC), the records, the file CRC.
    std::string finish() const;

  private:
    struct Layout {
        std::uint16_t global_number;
        std::vector<std::pair<std::uint8_t, BaseType>> fields;
        std::vector<std::uint8_t> sizes;
        bool operator==(const Layout&) const = default;
    };
    std::uint8_t local_type_for(const Layout& layout);

    std::vector<Layout> layouts_;
    std::string records_;
};

}  // namespace treadmill::history::fit
