// A minimal FIT reader for the encoder's unit tests: checks both CRCs, decodes normal-header
// definition and data messages into field number -> value. Independent decoders (gpsbabel,
// Garmin's @garmin/fitsdk) check the files too, in decoders_test.sh.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "history/export/fit_writer.hpp"

namespace treadmill::history::testing {

struct FitMessage {
    std::uint16_t global = 0;
    std::map<int, std::int64_t> values;
    std::map<int, std::string> texts;
    std::int64_t at(int field) const {
        const auto it = values.find(field);
        if (it == values.end()) throw std::out_of_range("field " + std::to_string(field));
        return it->second;
    }
};

struct FitFile {
    int header_size = 0;
    int protocol = 0;
    std::uint32_t data_size = 0;
    bool header_crc_ok = false;
    bool file_crc_ok = false;
    std::vector<FitMessage> messages;
    std::vector<FitMessage> of(std::uint16_t global) const {
        std::vector<FitMessage> out;
        for (const auto& m : messages)
            if (m.global == global) out.push_back(m);
        return out;
    }
};

inline std::uint64_t read_le(std::string_view b, std::size_t at, std::size_t size) {
    if (at + size > b.size()) throw std::runtime_error("fit: truncated");
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < size; ++i) v |= std::uint64_t(std::uint8_t(b[at + i])) << (8 * i);
    return v;
}

inline FitFile read_fit(std::string_view b) {
    FitFile f;
    f.header_size = std::uint8_t(b.at(0));
    f.protocol = std::uint8_t(b.at(1));
    f.data_size = static_cast<std::uint32_t>(read_le(b, 4, 4));
    f.header_crc_ok = fit::crc16(b.substr(0, 12)) == read_le(b, 12, 2);
    f.file_crc_ok = b.size() >= 2 && fit::crc16(b) == 0;  // the CRC over data + its CRC is 0
    struct Def {
        std::uint16_t global;
        std::vector<std::array<std::uint8_t, 3>> fields;
    };
    std::map<int, Def> defs;
    std::size_t at = static_cast<std::size_t>(f.header_size);
    const std::size_t end = at + f.data_size;
    while (at < end) {
        const std::uint8_t header = std::uint8_t(b.at(at++));
        if (header & 0x80) throw std::runtime_error("fit: compressed header");
        const int local = header & 0x0F;
        if (header & 0x40) {
            Def d{static_cast<std::uint16_t>(read_le(b, at + 2, 2)), {}};
            const int n = std::uint8_t(b.at(at + 4));
            at += 5;
            for (int i = 0; i < n; ++i, at += 3)
                d.fields.push_back({std::uint8_t(b.at(at)), std::uint8_t(b.at(at + 1)),
                                    std::uint8_t(b.at(at + 2))});
            defs[local] = d;
            continue;
        }
        const Def& d = defs.at(local);
        FitMessage m{d.global, {}, {}};
        for (const auto& [number, size, type] : d.fields) {
            if (type == 0x07) {
                m.texts[number] = std::string(b.substr(at, size)).c_str();
            } else {
                std::int64_t v = static_cast<std::int64_t>(read_le(b, at, size));
                if (type == 0x83 && v >= 0x8000) v -= 0x10000;
                m.values[number] = v;
            }
            at += size;
        }
        f.messages.push_back(m);
    }
    return f;
}

}  // namespace treadmill::history::testing
