#include "controller/daemon/profile_update.hpp"

#include <filesystem>
#include <optional>

#include <yaml-cpp/yaml.h>

#include "common/atomic_file.hpp"
#include "history/history_reader.hpp"
#include "history/mile_prediction.hpp"
#include "programs/program_loader.hpp"

namespace treadmill::daemon {

namespace {

using api::json;
namespace h = treadmill::history;

// The mile best to predict from: the session's own, or the runner's (non-simulated) best.
Result<h::PersonalBest, std::string> mile_best(const std::string& database,
                                               std::optional<std::int64_t> session) {
    const auto bests =
        session ? h::bests_of_session(database, *session) : h::personal_bests(database, false);
    if (!bests) return Unexpected{bests.error()};
    for (const auto& b : *bests) {
        if (b.distance == "mile") return b;
    }
    return Unexpected{session ? "session " + std::to_string(*session) + " has no mile"
                              : std::string("no mile best recorded yet (run mile-time-trial)")};
}

api::Reply update_reply(const std::string& database, const programs::ProfileLocation& where,
                        std::optional<std::int64_t> session, bool write) {
    const std::string& profile = where.path;
    const std::string current = where.to_read();  // the old default until the first write
    if (profile.empty()) {
        return api::fail(api::ErrorCode::refused, "the config names no profile file");
    }
    const auto best = mile_best(database, session);
    if (!best) return api::fail(api::ErrorCode::bad_value, best.error());
    std::map<std::string, std::string> old;
    std::error_code ec;
    if (std::filesystem::exists(current, ec)) {
        const auto loaded = programs::load_profile_file(current);
        if (!loaded.profile) {
            return api::fail(api::ErrorCode::bad_value,
                             current + " is not a valid profile; fix it first");
        }
        for (const auto& [name, d] : loaded.profile->paces) old[name] = d.text;
    }
    std::map<std::string, std::string> proposed;
    json list = json::array();
    for (const auto& [name, pace] : h::references_from_mile(best->time_s)) {
        proposed[name] = h::pace_text(pace);
        list.push_back({{"name", name},
                        {"old", old.count(name) ? json(old[name]) : json(nullptr)},
                        {"new", proposed[name]}});
    }
    if (write) {
        const auto written = write_profile_paces(profile, proposed, current);
        if (!written) return api::fail(api::ErrorCode::internal, written.error());
    }
    return json{{"session", best->session}, {"mile_s", best->time_s},
                {"profile", profile},       {"read_from", current},
                {"written", write},         {"references", std::move(list)}};
}

}  // namespace

Result<bool, std::string> write_profile_paces(const std::string& path,
                                              const std::map<std::string, std::string>& paces,
                                              const std::string& from) {
    const std::string& base = from.empty() ? path : from;
    YAML::Node root;
    std::error_code ec;
    try {
        root = std::filesystem::exists(base, ec) ? YAML::LoadFile(base) : YAML::Node();
    } catch (const YAML::Exception& e) {
        return Unexpected{"cannot read " + base + ": " + e.what()};
    }
    if (!root.IsMap()) {
        root = YAML::Node(YAML::NodeType::Map);
        root["schema"] = "treadmill-profile/1";
    }
    for (const auto& [name, text] : paces) root["paces"][name] = text;
    YAML::Emitter out;
    out << root;
    const std::string text = std::string(out.c_str()) + "\n";
    // The new profile must load before it replaces the old one.
    if (!programs::load_profile(text, path).profile)
        return Unexpected{"the rewritten profile does not load; " + path + " kept"};
    const auto written = write_file_atomically(path, text, 0644);
    if (!written) return Unexpected{written.error()};
    return true;
}

void add_profile_update_command(api::CommandTable& table, api::OffLoopWorker& worker,
                                const std::string& database,
                                const programs::ProfileLocation& profile) {
    table.add_deferred("profile_update_from_mile", [&worker, database, profile](
                                                       const json& r, api::Respond respond) {
        if (r.contains("session") && !r["session"].is_number_integer()) {
            return respond(
                api::fail(api::ErrorCode::bad_request, "'session' must be an integer (its id)"));
        }
        if (r.contains("write") && !r["write"].is_boolean()) {
            return respond(api::fail(api::ErrorCode::bad_request, "'write' must be true or false"));
        }
        const auto session = r.contains("session")
                                 ? std::optional<std::int64_t>(r["session"].get<std::int64_t>())
                                 : std::nullopt;
        const bool write = r.value("write", false);
        worker.run([database, profile, session,
                    write] { return update_reply(database, profile, session, write); },
                   [respond](Result<api::Reply, std::string> reply) {
                       respond(reply ? std::move(*reply)
                                     : api::fail(api::ErrorCode::internal, reply.error()));
                   });
    });
}

}  // namespace treadmill::daemon
