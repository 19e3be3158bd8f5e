#include "mqtt/topics.hpp"

namespace treadmill::mqtt {

namespace {

std::string replace_unusual(const std::string& text, char replacement) {
    std::string out = text;
    for (char& c : out) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!plain) c = replacement;
    }
    return out;
}

}  // namespace

std::optional<std::string> Topics::command_name(const std::string& topic) const {
    const std::string head = prefix_ + "/cmd/";
    if (topic.size() <= head.size() || topic.compare(0, head.size(), head) != 0) {
        return std::nullopt;
    }
    std::string name = topic.substr(head.size());
    if (name.find('/') != std::string::npos) return std::nullopt;
    return name;
}

std::string default_prefix(const std::string& name) {
    return "treadmill/" + name;
}

std::string client_id_for(const std::string& prefix) {
    return "treadmill-mqtt-" + replace_unusual(prefix, '-');
}

std::string object_id_for(const std::string& prefix) {
    return replace_unusual(prefix, '_');
}

std::optional<std::string> prefix_error(const std::string& prefix) {
    if (prefix.empty()) return "the topic prefix is empty";
    if (prefix.find_first_of("+#") != std::string::npos) {
        return "the topic prefix '" + prefix + "' contains a wildcard (+ or #)";
    }
    if (prefix.find('\0') != std::string::npos) return "the topic prefix contains a NUL";
    if (prefix.front() == '/' || prefix.back() == '/') {
        return "the topic prefix '" + prefix + "' starts or ends with '/'";
    }
    if (prefix.size() > 200) return "the topic prefix is longer than 200 bytes";
    return std::nullopt;
}

}  // namespace treadmill::mqtt
