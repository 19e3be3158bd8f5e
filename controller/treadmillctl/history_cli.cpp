// treadmillctl's history commands, read through the daemon (the only process that opens the
// database): `history [--json]`, `history show ID [--json]`, `bests [--all] [--json]`.
// --json prints the reply's object itself ({"sessions": …}, {"session": …}, {"bests": …}).
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <vector>

#include "common/json_text.hpp"
#include "controller/api/api_client.hpp"
#include "controller/treadmillctl/commands.hpp"
#include "controller/treadmillctl/history_text.hpp"
#include "controller/treadmillctl/progress_svg.hpp"

namespace treadmill::ctl {

namespace {

using nlohmann::json;

// Sends `request`; the reply without its "id" and "ok", or the error already printed.
std::optional<json> ask(const Invocation& inv, const json& request) {
    auto client = api::ApiClient::connect(inv.socket);
    if (!client) {
        std::cerr << "treadmillctl: " << client.error() << "\n";
        return std::nullopt;
    }
    auto reply = client->call(request);
    if (!reply) {
        std::cerr << "treadmillctl: " << reply.error() << "\n";
        return std::nullopt;
    }
    if (!reply->value("ok", false)) {
        const json& error = (*reply)["error"];
        std::cerr << "treadmillctl: " << request["cmd"].get<std::string>() << ": "
                  << error.value("message", "failed") << " (" << error.value("code", "error")
                  << ")\n";
        return std::nullopt;
    }
    reply->erase("id");
    reply->erase("ok");
    return std::move(*reply);
}

int print(const Invocation& inv, const std::optional<json>& body,
          std::string (*as_text)(const json&)) {
    if (!body) return kExitFailure;
    std::cout << (inv.json ? json_text(*body) + "\n" : as_text(*body));
    return kExitOk;
}

int run_history(const Invocation& inv) {
    std::string error;
    const auto args = parse_command_args(inv.args, {}, {}, error);
    if (!args) {
        std::cerr << "treadmillctl: history: " << error << "\n";
        return kExitUsage;
    }
    const auto& p = args->positionals;
    if (p.empty()) return print(inv, ask(inv, {{"cmd", "history"}}), sessions_text);
    if (p.size() != 2 || p[0] != "show") {
        std::cerr << "treadmillctl: history: usage: history [show ID]\n";
        return kExitUsage;
    }
    char* end = nullptr;
    const long long id = std::strtoll(p[1].c_str(), &end, 10);
    if (end == p[1].c_str() || *end != '\0' || id <= 0) {
        std::cerr << "treadmillctl: history show: '" << p[1] << "' is not a session id\n";
        return kExitUsage;
    }
    return print(inv, ask(inv, {{"cmd", "history_show"}, {"session", id}}), session_text);
}

int run_bests(const Invocation& inv) {
    std::string error;
    const auto args = parse_command_args(inv.args, {}, {"--all"}, error);
    if (!args || !args->positionals.empty()) {
        std::cerr << "treadmillctl: bests: " << (args ? "no arguments expected" : error) << "\n";
        return kExitUsage;
    }
    return print(inv, ask(inv, {{"cmd", "bests"}, {"all", args->has("--all")}}), bests_text);
}

int run_progress(const Invocation& inv) {
    std::string error;
    const auto args = parse_command_args(inv.args, {"--svg"}, {"--all"}, error);
    if (!args || !args->positionals.empty()) {
        std::cerr << "treadmillctl: progress: " << (args ? "no arguments expected" : error) << "\n";
        return kExitUsage;
    }
    const auto body = ask(inv, {{"cmd", "progress"}, {"all", args->has("--all")}});
    if (!body) return kExitFailure;
    if (const auto svg = args->last("--svg")) {
        std::ofstream out(*svg);
        out << progress_svg(*body);
        if (!out.flush()) {
            std::cerr << "treadmillctl: progress: cannot write " << *svg << "\n";
            return kExitFailure;
        }
    }
    std::cout << (inv.json ? json_text(*body) + "\n" : progress_text(*body));
    return kExitOk;
}

const std::vector<Command> kHistoryCommands{
    {"history", "[show ID]",
     "recorded workouts (newest first); `show ID`: one with its laps, events and bests",
     &run_history},
    {"bests", "[--all]",
     "personal bests over 400m..10km (--all: also sessions run at a time scale)", &run_bests},
    {"progress", "[--all] [--svg FILE]",
     "mile best over time and weekly distance and time for 12 weeks (--svg: as a chart)",
     &run_progress},
};

}  // namespace

std::span<const Command> history_commands() {
    return kHistoryCommands;
}

}  // namespace treadmill::ctl
