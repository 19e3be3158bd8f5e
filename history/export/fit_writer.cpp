#include "history/export/fit_writer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace treadmill::history::fit {

namespace {

constexpr std::array<std::uint16_t, 16> crc_table = {0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00,
                                                     0x2800, 0xE401, 0xA001, 0x6C00, 0x7800, 0xB401,
                                                     0x5000, 0x9C01, 0x8801, 0x4400};

std::size_t size_of(BaseType type) {
    switch (type) {
        case BaseType::enum_:
        case BaseType::uint8:
        case BaseType::string:
            return 1;
        case BaseType::sint16:
        case BaseType::uint16:
            return 2;
        case BaseType::uint32:
        case BaseType::uint32z:
            return 4;
    }
    return 1;
}

// The valid range of an integer type: its invalid marker is left out.
std::pair<std::int64_t, std::int64_t> valid_range(BaseType type) {
    switch (type) {
        case BaseType::enum_:
        case BaseType::uint8:
            return {0, 0xFE};
        case BaseType::sint16:
            return {-0x7FFF, 0x7FFE};
        case BaseType::uint16:
            return {0, 0xFFFE};
        case BaseType::uint32:
            return {0, 0xFFFFFFFE};
        case BaseType::uint32z:
            return {1, 0xFFFFFFFF};
        case BaseType::string:
            return {0, 0};
    }
    return {0, 0};
}

void put_le(std::string& out, std::uint64_t value, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

}  // namespace

std::uint16_t crc16(std::string_view bytes, std::uint16_t crc) {
    for (char c : bytes) {
        const auto byte = static_cast<std::uint8_t>(c);
        std::uint16_t tmp = crc_table[crc & 0xF];
        crc = static_cast<std::uint16_t>(((crc >> 4) & 0x0FFF) ^ tmp ^ crc_table[byte & 0xF]);
        tmp = crc_table[crc & 0xF];
        crc =
            static_cast<std::uint16_t>(((crc >> 4) & 0x0FFF) ^ tmp ^ crc_table[(byte >> 4) & 0xF]);
    }
    return crc;
}

std::uint32_t fit_time(std::int64_t utc_ms) {
    const std::int64_t s = utc_ms / 1000 - unix_to_fit_offset_s;
    return static_cast<std::uint32_t>(std::clamp<std::int64_t>(s, 0, 0xFFFFFFFE));
}

std::int64_t scaled(double value, double scale, double offset, BaseType type) {
    const auto [lo, hi] = valid_range(type);
    const double raw = std::round((value + offset) * scale);
    if (!(raw >= static_cast<double>(lo))) return lo;  // also NaN
    if (raw > static_cast<double>(hi)) return hi;
    return static_cast<std::int64_t>(raw);
}

std::uint8_t Writer::local_type_for(const Layout& layout) {
    const auto found = std::find(layouts_.begin(), layouts_.end(), layout);
    if (found != layouts_.end()) return static_cast<std::uint8_t>(found - layouts_.begin());
    if (layouts_.size() == 16) throw std::logic_error("fit: more than 16 message layouts");
    const auto local = static_cast<std::uint8_t>(layouts_.size());
    layouts_.push_back(layout);
    records_.push_back(static_cast<char>(0x40 | local));  // definition message header
    records_.push_back(0);                                // reserved
    records_.push_back(0);                                // little-endian architecture
    put_le(records_, layout.global_number, 2);
    records_.push_back(static_cast<char>(layout.fields.size()));
    for (std::size_t i = 0; i < layout.fields.size(); ++i) {
        records_.push_back(static_cast<char>(layout.fields[i].first));
        records_.push_back(static_cast<char>(layout.sizes[i]));
        records_.push_back(static_cast<char>(layout.fields[i].second));
    }
    return local;
}

void Writer::message(std::uint16_t global_number, const std::vector<Field>& fields) {
    Layout layout{global_number, {}, {}};
    for (const Field& f : fields) {
        layout.fields.emplace_back(f.number, f.type);
        const std::size_t size = f.type == BaseType::string ? f.text.size() + 1 : size_of(f.type);
        if (size > 255) throw std::invalid_argument("fit: field too long");
        layout.sizes.push_back(static_cast<std::uint8_t>(size));
    }
    records_.push_back(static_cast<char>(local_type_for(layout)));  // data message header
    for (const Field& f : fields) {
        if (f.type == BaseType::string) {
            records_ += f.text;
            records_.push_back('\0');
        } else {
            put_le(records_, static_cast<std::uint64_t>(f.value), size_of(f.type));
        }
    }
}

std::string Writer::finish() const {
    std::string file;
    file.push_back(14);                // header size
    file.push_back(0x20);              // protocol version 2.0
    put_le(file, 21 * 1000 + 217, 2);  // profile version 21.217 (the one checked against)
    put_le(file, records_.size(), 4);
    file += ".FIT";
    put_le(file, crc16(file), 2);
    file += records_;
    put_le(file, crc16(file), 2);
    return file;
}

}  // namespace treadmill::history::fit
