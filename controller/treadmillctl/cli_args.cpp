#include "controller/treadmillctl/cli_args.hpp"

#include <cctype>
#include <iterator>

namespace treadmill::ctl {

namespace {

constexpr const char* kDefaultSocket = "/run/treadmilld/control.sock";

// "--name=value" → ("--name", "value"); anything else → (arg, nullopt).
std::pair<std::string, std::optional<std::string>> split_option(const std::string& arg) {
    const auto eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos) return {arg, std::nullopt};
    return {arg.substr(0, eq), arg.substr(eq + 1)};
}

// Takes the value of a valued option: the "=value" part or the next argument.
bool take_value(const std::vector<std::string>& argv, std::size_t& i,
                const std::optional<std::string>& inline_value, const std::string& name,
                std::string& value, std::string& error) {
    if (inline_value) {
        value = *inline_value;
        return true;
    }
    if (i + 1 >= argv.size()) {
        error = "option " + name + " needs a value";
        return false;
    }
    value = argv[++i];
    return true;
}

// Handles a global option at argv[i]; returns false when argv[i] is not one.
bool global_option(const std::vector<std::string>& argv, std::size_t& i, Invocation& inv,
                   std::string& error) {
    const auto [name, inline_value] = split_option(argv[i]);
    if (name == "--json" && !inline_value) return inv.json = true;
    if ((name == "--help" || name == "-h") && !inline_value) return inv.help = true;
    std::string value;
    if (name == "--socket") {
        if (take_value(argv, i, inline_value, name, value, error)) inv.socket = value;
        return true;
    }
    if (name == "--programs-dir") {
        if (take_value(argv, i, inline_value, name, value, error))
            inv.programs_dirs.push_back(value);
        return true;
    }
    return false;
}

}  // namespace

std::optional<Invocation> parse_invocation(const std::vector<std::string>& argv,
                                           const char* socket_env, std::string& error) {
    Invocation inv;
    inv.socket = socket_env && *socket_env ? socket_env : kDefaultSocket;
    bool options_ended = false;
    for (std::size_t i = 0; i < argv.size() && error.empty(); ++i) {
        const std::string& arg = argv[i];
        if (!options_ended && arg == "--") {
            options_ended = true;
            if (!inv.command.empty()) inv.args.push_back(arg);
        } else if (!options_ended && global_option(argv, i, inv, error)) {
            continue;
        } else if (inv.command.empty()) {
            if (arg.size() > 1 && arg[0] == '-' && !options_ended) error = "unknown option " + arg;
            inv.command = arg;
        } else {
            inv.args.push_back(arg);
        }
    }
    if (!error.empty()) return std::nullopt;
    return inv;
}

std::optional<std::string> CommandArgs::last(const std::string& name) const {
    const auto [first, end] = options.equal_range(name);
    if (first == end) return std::nullopt;
    return std::prev(end)->second;
}

std::vector<std::string> CommandArgs::all(const std::string& name) const {
    std::vector<std::string> values;
    const auto [first, end] = options.equal_range(name);
    for (auto it = first; it != end; ++it) values.push_back(it->second);
    return values;
}

std::optional<CommandArgs> parse_command_args(const std::vector<std::string>& args,
                                              const std::set<std::string>& valued,
                                              const std::set<std::string>& flags,
                                              std::string& error) {
    CommandArgs parsed;
    bool options_ended = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (options_ended || arg.size() < 2 || arg[0] != '-' ||
            std::isdigit(static_cast<unsigned char>(arg[1]))) {
            parsed.positionals.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_ended = true;
            continue;
        }
        const auto [name, inline_value] = split_option(arg);
        std::string value;
        if (valued.count(name)) {
            if (!take_value(args, i, inline_value, name, value, error)) return std::nullopt;
        } else if (!flags.count(name) || inline_value) {
            error = "unknown option " + arg;
            return std::nullopt;
        }
        parsed.options.emplace(name, value);
    }
    return parsed;
}

}  // namespace treadmill::ctl
