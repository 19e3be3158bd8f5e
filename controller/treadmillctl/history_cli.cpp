// treadmillctl's history commands, read through the daemon (the only process that opens the
// database): `history [--json]`, `history show ID [--json]`, `bests [--all] [--json]`.
// --json prints the reply's object itself ({"sessions": …}, {"session": …}, {"bests": …}).
// `export ID --format F [-o FILE] [--force]` writes the daemon's file (base64 in the reply).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

#include "common/atomic_file.hpp"
#include "common/base64.hpp"
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

// The session id in `text`, or 0 (an id is positive).
long long session_id(const std::string& text) {
    char* end = nullptr;
    const long long id = std::strtoll(text.c_str(), &end, 10);
    return end == text.c_str() || *end != '\0' || id <= 0 ? 0 : id;
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
    const long long id = session_id(p[1]);
    if (id == 0) {
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

// Writes `bytes` to `path` ("-": standard output); an existing file only with `force`.
int write_export(const std::string& path, const std::string& bytes, bool force) {
    if (path == "-") {
        std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return std::cout.flush() ? kExitOk : kExitFailure;
    }
    std::error_code ec;
    if (!force && std::filesystem::exists(path, ec)) {
        std::cerr << "treadmillctl: export: " << path
                  << " exists (--force replaces it, -o FILE names another)\n";
        return kExitFailure;
    }
    const auto written = write_file_atomically(path, bytes, 0644);
    if (!written) {
        std::cerr << "treadmillctl: export: " << written.error() << "\n";
        return kExitFailure;
    }
    std::cerr << "treadmillctl: export: wrote " << path << " (" << bytes.size() << " bytes)\n";
    return kExitOk;
}

int run_export(const Invocation& inv) {
    std::string error;
    const auto args = parse_command_args(inv.args, {"--format", "-o"}, {"--force"}, error);
    if (!args || args->positionals.size() != 1 || !args->has("--format")) {
        std::cerr << "treadmillctl: export: "
                  << (args ? "usage: export ID --format fit|tcx|csv|laps-csv [-o FILE] [--force]"
                           : error)
                  << "\n";
        return kExitUsage;
    }
    const long long id = session_id(args->positionals[0]);
    if (id == 0) {
        std::cerr << "treadmillctl: export: '" << args->positionals[0] << "' is not a session id\n";
        return kExitUsage;
    }
    const auto body =
        ask(inv, {{"cmd", "export"}, {"session", id}, {"format", *args->last("--format")}});
    if (!body) return kExitFailure;
    const auto bytes = base64_decode(body->value("data", ""));
    const std::string filename = body->value("filename", "");
    if (!bytes || body->value("encoding", "") != "base64" || filename.empty() ||
        filename.find('/') != std::string::npos) {
        std::cerr << "treadmillctl: export: the daemon's reply holds no valid file\n";
        return kExitFailure;
    }
    return write_export(args->last("-o").value_or(filename), *bytes, args->has("--force"));
}

// `profile update-from-mile [SESSION] [--yes]`: old → new references; written with --yes.
int run_profile(const Invocation& inv) {
    std::string error;
    const auto args = parse_command_args(inv.args, {}, {"--yes"}, error);
    const auto& p = args ? args->positionals : std::vector<std::string>{};
    if (!args || p.empty() || p[0] != "update-from-mile" || p.size() > 2) {
        std::cerr << "treadmillctl: profile: "
                  << (args ? "usage: profile update-from-mile [SESSION] [--yes]" : error) << "\n";
        return kExitUsage;
    }
    json request = {{"cmd", "profile_update_from_mile"}, {"write", args->has("--yes")}};
    if (p.size() == 2) {
        const long long id = session_id(p[1]);
        if (id == 0) {
            std::cerr << "treadmillctl: profile: '" << p[1] << "' is not a session id\n";
            return kExitUsage;
        }
        request["session"] = id;
    }
    const auto body = ask(inv, request);
    if (!body) return kExitFailure;
    if (inv.json) {
        std::cout << json_text(*body) << "\n";
        return kExitOk;
    }
    const double mile_s = (*body)["mile_s"].get<double>();
    const long whole = std::lround(mile_s);
    std::printf("Mile best %ld:%02ld (session %lld). References for %s:\n", whole / 60, whole % 60,
                (*body)["session"].get<long long>(), (*body)["profile"].get<std::string>().c_str());
    const std::string read_from = (*body).value("read_from", std::string());
    if (!read_from.empty() && read_from != (*body)["profile"]) {
        std::printf("(now read from %s, the old default; kept as it is)\n", read_from.c_str());
    }
    for (const auto& r : (*body)["references"]) {
        const std::string old = r["old"].is_string() ? r["old"].get<std::string>() : "(none)";
        std::printf("  %-10s %-10s -> %s\n", r["name"].get<std::string>().c_str(), old.c_str(),
                    r["new"].get<std::string>().c_str());
    }
    std::cout << ((*body)["written"] == true
                      ? "Written; the next start runs at these paces.\n"
                      : "Not written: run again with --yes to write them.\n");
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
    {"export", "ID --format fit|tcx|csv|laps-csv [-o FILE] [--force]",
     "a recorded workout as a file for Strava, Garmin Connect, intervals.icu or a spreadsheet "
     "(default name from the daemon; an existing file only with --force; -o -: stdout)",
     &run_export},
    {"profile", "update-from-mile [SESSION] [--yes]",
     "new references (mile, 5k, 10k, threshold, easy, jog) from a mile best (Riegel); written "
     "to the daemon's profile only with --yes",
     &run_profile},
};

}  // namespace

std::span<const Command> history_commands() {
    return kHistoryCommands;
}

}  // namespace treadmill::ctl
