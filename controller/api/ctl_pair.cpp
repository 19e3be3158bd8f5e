#include "controller/api/ctl_pair.hpp"

#include <optional>

namespace treadmill::api {

using nlohmann::json;

namespace {

const char* const kUsage = "usage: pair [--viewer] | pair --list | pair --revoke DEVICE_ID";

}  // namespace

Result<json, std::string> pair_request(const std::vector<std::string>& args) {
    bool viewer = false, list = false;
    std::optional<std::string> revoke;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--viewer")
            viewer = true;
        else if (args[i] == "--list")
            list = true;
        else if (args[i] == "--revoke" && i + 1 < args.size())
            revoke = args[++i];
        else if (args[i].rfind("--revoke=", 0) == 0)
            revoke = args[i].substr(9);
        else
            return Unexpected{std::string(kUsage)};
    }
    if (int(viewer) + int(list) + int(revoke.has_value()) > 1 || (revoke && revoke->empty()))
        return Unexpected{std::string(kUsage)};
    if (list) return json{{"cmd", "pair_list"}};
    if (revoke) return json{{"cmd", "pair_revoke"}, {"device_id", *revoke}};
    return json{{"cmd", "pair_issue"}, {"role", viewer ? "viewer" : "runner"}};
}

std::string pair_text(const json& request, const json& reply) {
    const std::string cmd = request.value("cmd", "");
    if (cmd == "pair_revoke") return "pair: revoked " + request.value("device_id", "") + "\n";
    if (cmd == "pair_list") {
        const json& devices = reply["devices"];
        if (devices.empty()) return "no paired devices\n";
        std::string text;
        for (const auto& d : devices) {
            text += d.value("device_id", "") + "  " + d.value("role", "") + "  " +
                    d.value("paired_utc", "") + "  " + d.value("device", "") + "\n";
        }
        return text;
    }
    const auto seconds = reply.value("expires_s", 0);
    const std::string validity = seconds % 60 == 0 ? std::to_string(seconds / 60) + " minutes"
                                                   : std::to_string(seconds) + " s";
    return reply.value("pin", "") + "\nvalid for " + validity + ", once, for a " +
           reply.value("role", "runner") + " device: enter it on the console's pairing page\n";
}

}  // namespace treadmill::api
