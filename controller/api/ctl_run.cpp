#include "controller/api/ctl_run.hpp"

#include <cstdio>
#include <ostream>

#include "common/json_text.hpp"
#include "controller/api/api_client.hpp"
#include "controller/api/ctl_pair.hpp"
#include "controller/api/ctl_requests.hpp"
#include "controller/api/watch_screen.hpp"

namespace treadmill::api {

using nlohmann::json;

namespace {

constexpr int kOk = 0, kFailure = 1, kUsage = 2;

// One line for a successful reply of `name` to `request`.
std::string success_text(const std::string& name, const json& request, const json& reply) {
    if (name == "pair") return pair_text(request, reply);
    if (name == "status") {
        WatchMemory memory;
        return render_watch_screen(reply["status"], memory);
    }
    if (name == "sim") return json_text(reply["sim"]) + "\n";
    std::string text = name + ": ok";
    if (reply.contains("value") && reply["value"].is_number()) {
        char value[32];
        std::snprintf(value, sizeof value, " (%.1f)", reply["value"].get<double>());
        text += value;
    }
    return text + "\n";
}

// Streams until the workout's summary (exit 0); a stream that ends without one (the daemon
// stopped or dropped the client) is a failure (exit 1). --json prints each status line.
int watch(ApiClient& client, const CtlContext& c) {
    WatchMemory memory;
    std::optional<std::string> summary;
    const auto done = client.watch([&](const json& status) {
        const std::string screen = render_watch_screen(status, memory);
        if (c.json)
            c.out << json_text(status) << std::endl;
        else
            c.out << (c.terminal ? "\x1b[H\x1b[2J" : "") << screen << (c.terminal ? "" : "\n")
                  << std::flush;
        summary = watch_summary(status, memory);
        return !summary.has_value();
    });
    if (!done) {
        c.err << "treadmillctl: " << done.error() << "\n";
        return kFailure;
    }
    if (!summary) {
        c.err << "treadmillctl: watch: treadmilld closed the stream before the workout ended\n";
        return kFailure;
    }
    if (!c.json) c.out << *summary;
    return kOk;
}

}  // namespace

int run_daemon_command(const std::string& name, const std::vector<std::string>& args,
                       const CtlContext& c) {
    const auto request = build_request(name, args);
    if (!request) {
        c.err << "treadmillctl: " << request.error() << "\n";
        return kUsage;
    }
    auto client = ApiClient::connect(c.socket);
    if (!client) {
        c.err << "treadmillctl: " << client.error() << "\n";
        return kFailure;
    }
    if (name == "watch") return watch(*client, c);
    const auto reply = client->call(*request);
    if (!reply) {
        c.err << "treadmillctl: " << reply.error() << "\n";
        return kFailure;
    }
    if (c.json) c.out << json_text(*reply) << "\n";
    if (!reply->value("ok", false)) {
        const json& error = (*reply)["error"];
        if (!c.json)
            c.err << "treadmillctl: " << name << ": " << error.value("message", "failed") << " ("
                  << error.value("code", "error") << ")\n";
        return kFailure;
    }
    if (!c.json) c.out << success_text(name, *request, *reply);
    return kOk;
}

}  // namespace treadmill::api
