#include "console/console_config.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace treadmill::console {

namespace {

using Error = Unexpected<std::string>;

std::string where(const YAML::Node& n) {
    return "line " + std::to_string(n.Mark().line + 1) + ": ";
}

bool is_address_literal(std::string_view host) {
    if (host.empty()) return false;
    for (char c : host)
        if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':')) return false;
    return true;
}

// The token in a token file: its first line, without the line end and surrounding blanks.
std::optional<std::string> read_token_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::string line;
    std::getline(in, line);
    const auto first = line.find_first_not_of(" \t\r");
    const auto last = line.find_last_not_of(" \t\r");
    return first == std::string::npos ? std::string() : line.substr(first, last - first + 1);
}

// metrics: {token: TEXT} or {token_file: PATH}.
std::optional<std::string> read_metrics(const YAML::Node& v, ConsoleConfig& c) {
    if (!v.IsMap()) return where(v) + "metrics: expected {token: TEXT} or {token_file: FILE}";
    bool from_file = false;
    for (const auto& t : v) {
        const std::string k = t.first.as<std::string>();
        if (!c.metrics_token.empty() || from_file)
            return where(t.first) + "metrics: give one of token and token_file";
        if (k == "token") {
            c.metrics_token = t.second.as<std::string>();
        } else if (k == "token_file") {
            const std::string path = t.second.as<std::string>();
            auto token = read_token_file(path);
            if (!token) return where(t.second) + "metrics: cannot read token_file " + path;
            c.metrics_token = *token;
            from_file = true;
        } else {
            return where(t.first) + "metrics: unknown key '" + k + "'";
        }
        if (auto error = metrics_token_error(c.metrics_token))
            return where(t.second) + "metrics: " + (from_file ? "the token in token_file " : "") +
                   *error;
    }
    return std::nullopt;
}

// tls: {certificate: FILE, key: FILE}, both required, neither empty.
Result<TlsFiles, std::string> parse_tls(const YAML::Node& v) {
    const std::string shape = "tls: expected {certificate: FILE, key: FILE}";
    if (!v.IsMap()) return Error{where(v) + shape};
    TlsFiles files;
    for (const auto& t : v) {
        const std::string k = t.first.as<std::string>();
        if (k != "certificate" && k != "key")
            return Error{where(t.first) + "tls: unknown key '" + k + "' (" + shape + ")"};
        std::string& into = k == "certificate" ? files.certificate : files.key;
        if (!into.empty()) return Error{where(t.first) + "tls: " + k + " given twice"};
        if (!t.second.IsScalar() || t.second.Scalar().empty())
            return Error{where(t.second) + "tls: " + k + ": expected a file name"};
        into = t.second.Scalar();
    }
    if (files.certificate.empty() || files.key.empty())
        return Error{where(v) + "tls: needs both certificate and key (" + shape + ")"};
    return files;
}

}  // namespace

std::optional<std::string> metrics_token_error(std::string_view token) {
    if (token.size() < 16 || token.size() > 256)
        return std::string("the token needs 16 to 256 characters (e.g. openssl rand -hex 24)");
    for (const char c : token)
        if (c <= ' ' || c > '~')
            return std::string("the token may hold only visible ASCII characters, no spaces");
    return std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    double value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || !(value > 0)) return std::nullopt;
    std::string_view unit = text.substr(static_cast<std::size_t>(ptr - text.data()));
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    const double ms = unit == "s" ? value * 1000 : unit == "ms" ? value : -1;
    if (ms < 1 || ms > 24 * 3600 * 1000.0) return std::nullopt;
    return std::chrono::milliseconds(static_cast<long>(ms));
}

std::optional<ListenAddress> parse_listen(std::string_view text) {
    ListenAddress out;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        out.host = std::string(text.substr(1, close - 1));
        port_text = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        out.host = std::string(text.substr(0, colon));
        if (out.host.find(':') != std::string::npos) return std::nullopt;  // IPv6 needs []
        port_text = text.substr(colon + 1);
    }
    if (!is_address_literal(out.host)) return std::nullopt;
    unsigned port = 0;
    const auto [ptr, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc{} || ptr != port_text.data() + port_text.size() ||
        port > 65535)
        return std::nullopt;
    out.port = static_cast<std::uint16_t>(port);
    return out;
}

Result<ConsoleConfig, std::string> parse_console_config(const std::string& yaml_text) {
    ConsoleConfig c;
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::Exception& e) {
        return Error{"line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
    }
    if (root.IsNull()) return c;
    if (!root.IsMap()) return Error{std::string("the file is not a map of settings")};
    try {
        for (const auto& item : root) {
            const std::string key = item.first.as<std::string>();
            const YAML::Node& v = item.second;
            if (key == "listen") {
                auto l = parse_listen(v.as<std::string>());
                if (!l) return Error{where(v) + "listen: expected ADDRESS:PORT, e.g. 0.0.0.0:8080"};
                c.listen = *l;
            } else if (key == "socket") {
                c.socket = v.as<std::string>();
            } else if (key == "allowed_hosts") {
                if (!v.IsSequence()) return Error{where(v) + "allowed_hosts: expected a list"};
                for (const auto& h : v) c.allowed_hosts.push_back(h.as<std::string>());
            } else if (key == "max_clients") {
                const long n = v.as<long>();
                if (n < 1 || n > 1024) return Error{where(v) + "max_clients: 1 to 1024"};
                c.max_clients = static_cast<std::size_t>(n);
            } else if (key == "tls") {
                auto tls = parse_tls(v);
                if (!tls) return Error{tls.error()};
                c.tls = *tls;
            } else if (key == "keepalive") {
                auto d = parse_duration(v.as<std::string>());
                if (!d) return Error{where(v) + "keepalive: expected a duration, e.g. 20 s"};
                c.keepalive = *d;
            } else if (key == "metrics") {
                if (auto error = read_metrics(v, c)) return Error{*error};
            } else {
                return Error{where(item.first) + "unknown key '" + key + "'"};
            }
        }
    } catch (const YAML::Exception& e) {
        return Error{"line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
    }
    return c;
}

Result<ConsoleConfig, std::string> load_console_config(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Error{"cannot read " + path};
    std::ostringstream text;
    text << in.rdbuf();
    auto c = parse_console_config(text.str());
    if (!c) return Error{path + ": " + c.error()};
    if (c->tls) {
        std::error_code ec;
        const auto dir = std::filesystem::absolute(path, ec).parent_path();
        for (std::string* file : {&c->tls->certificate, &c->tls->key})
            if (std::filesystem::path(*file).is_relative())
                *file = (dir / *file).lexically_normal().string();
    }
    return c;
}

}  // namespace treadmill::console
