// Text for XML character data and attribute values (TCX, SVG): the five special characters
// escaped, and the control characters XML 1.0 forbids even escaped dropped (tab, LF, CR stay).
#pragma once

#include <string>
#include <string_view>

namespace treadmill {

inline std::string xml_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r')
                    out += c;
        }
    }
    return out;
}

}  // namespace treadmill
