#include "controller/metrics/prometheus_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace treadmill::metrics {

namespace {

bool valid_name(const std::string& name, bool colon_allowed) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                            (colon_allowed && c == ':');
        if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

// HELP text: backslash and newline escaped; a label value: the double quote too.
std::string escaped(const std::string& text, bool quote) {
    std::string out;
    for (const char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (quote && c == '"') {
            out += "\\\"";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string prometheus_number(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    char text[40];
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
        std::snprintf(text, sizeof text, "%.0f", value);
        return text;
    }
    const auto [end, ec] = std::to_chars(text, text + sizeof text, value);  // shortest exact
    return ec == std::errc{} ? std::string(text, end) : std::string("NaN");
}

void PrometheusText::family(const std::string& name, Type type, const std::string& help) {
    if (!valid_name(name, true)) throw std::invalid_argument("bad metric name '" + name + "'");
    const std::string suffix = "_total";
    if (type == Type::counter &&
        (name.size() <= suffix.size() ||
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)) {
        throw std::invalid_argument("counter '" + name + "' does not end in _total");
    }
    name_ = name;
    text_ += "# HELP " + name + " " + escaped(help, false) + "\n";
    text_ += "# TYPE " + name + (type == Type::counter ? " counter\n" : " gauge\n");
}

void PrometheusText::sample(double value, const Labels& labels) {
    if (name_.empty()) throw std::logic_error("a sample before its family");
    std::string line = name_;
    if (!labels.empty()) {
        line += '{';
        for (std::size_t i = 0; i < labels.size(); ++i) {
            if (!valid_name(labels[i].first, false) || labels[i].first.rfind("__", 0) == 0)
                throw std::invalid_argument("bad label name '" + labels[i].first + "'");
            line += (i > 0 ? "," : "") + labels[i].first + "=\"" + escaped(labels[i].second, true) +
                    "\"";
        }
        line += '}';
    }
    text_ += line + " " + prometheus_number(value) + "\n";
}

}  // namespace treadmill::metrics
