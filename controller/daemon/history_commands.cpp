#include "controller/daemon/history_commands.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include <filesystem>

#include "common/base64.hpp"
#include "controller/api/status_json.hpp"
#include "history/export/export.hpp"
#include "history/history_reader.hpp"
#include "history/progress.hpp"
#include "history/sqlite_db.hpp"
#include "programs/program_loader.hpp"

#ifndef TREADMILL_VERSION
#define TREADMILL_VERSION "unknown"
#endif

namespace treadmill::daemon {

namespace {

using api::json;
namespace h = treadmill::history;

std::string utc_text(std::int64_t utc_ms) {
    return api::format_rfc3339_utc(std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::milliseconds(utc_ms))));
}

// The runner's local date of a session's start: YYYY-MM-DD.
std::string local_date(std::int64_t utc_ms, int offset_s) {
    const std::time_t t = static_cast<std::time_t>(utc_ms / 1000 + offset_s);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
    return text;
}

json session_json(const h::SessionRecord& s) {
    return {{"id", s.id},
            {"program_id", s.program_id},
            {"name", s.name},
            {"start_utc", utc_text(s.start_utc_ms)},
            {"utc_offset_s", s.utc_offset_s},
            {"duration_s", s.duration_s},
            {"distance_m", s.distance_m},
            {"ended", h::to_string(s.ended)},
            {"fault_code", s.fault_code ? json(*s.fault_code) : json(nullptr)},
            {"simulated", s.simulated}};
}

json lap_json(const h::Lap& l) {
    return {{"kind", l.kind},
            {"active", l.active},
            {"start_s", l.start_s},
            {"time_s", l.time_s},
            {"distance_m", l.distance_m},
            {"avg_speed_kmh", l.avg_speed_kmh},
            {"max_speed_kmh", l.max_speed_kmh},
            {"avg_incline_pct", l.avg_incline_pct},
            {"ascent_m", l.ascent_m}};
}

json bests_json(const std::vector<h::PersonalBest>& bests) {
    json list = json::array();
    for (const auto& b : bests) {
        list.push_back({{"distance", b.distance},
                        {"time_s", b.time_s},
                        {"session", b.session},
                        {"date", local_date(b.start_utc_ms, b.utc_offset_s)}});
    }
    return list;
}

api::Reply show_session(const std::string& database, std::int64_t id) {
    const auto s = h::load_session(database, id);
    if (!s) return api::fail(api::ErrorCode::bad_value, s.error());
    json out = session_json(*s);
    out["laps"] = json::array();
    for (const auto& l : s->laps) out["laps"].push_back(lap_json(l));
    out["events"] = json::array();
    for (const auto& e : s->events) {
        out["events"].push_back({{"elapsed_s", e.elapsed_s},
                                 {"utc", utc_text(e.utc_ms)},
                                 {"kind", e.kind},
                                 {"detail", e.detail}});
    }
    out["samples"] = s->samples.size();
    out["summary"] = summary_of(database, id);
    const auto bests = h::bests_of_session(database, id);
    out["bests"] = bests ? bests_json(*bests) : json::array();
    return api::serialized_fields({{"session", std::move(out)}});
}

api::Reply progress_reply(const std::string& database, bool all) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    ::localtime_r(&t, &local);
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const auto p = h::read_progress(database, all, now_ms, static_cast<int>(local.tm_gmtoff));
    if (!p) return api::fail(api::ErrorCode::internal, p.error());
    json mile = json::array();
    for (const auto& m : p->mile) {
        mile.push_back({{"session", m.session},
                        {"date", local_date(m.start_utc_ms, m.utc_offset_s)},
                        {"time_s", m.time_s}});
    }
    json weeks = json::array();
    for (const auto& w : p->weeks) {
        weeks.push_back({{"week", h::date_of_days(w.monday_days)},
                         {"distance_m", w.distance_m},
                         {"duration_s", w.duration_s},
                         {"sessions", w.sessions}});
    }
    return json{{"mile", std::move(mile)}, {"weeks", std::move(weeks)}};
}

// One session as a file, base64 in the reply (the server lets this reply pass its queue limit).
api::Reply export_reply(const std::string& database, const programs::ProfileLocation& profile,
                        std::int64_t id, h::Format format) {
    const auto s = h::load_session(database, id);
    if (!s) return api::fail(api::ErrorCode::bad_value, s.error());
    if (s->ended == h::Ended::running) {
        return api::fail(api::ErrorCode::refused, "session " + std::to_string(id) +
                                                      " is still being recorded; export it "
                                                      "once the workout has ended");
    }
    const auto file =
        h::export_session(*s, format, {profile_body_mass(profile), TREADMILL_VERSION});
    return json{
        {"filename", file.filename}, {"encoding", "base64"}, {"data", base64_encode(file.bytes)}};
}

// Runs `work` on the worker; its Reply (or the exception's text) goes to `respond`.
template <class Work>
void on_worker(api::OffLoopWorker& worker, Work work, const api::Respond& respond) {
    worker.run(std::move(work), [respond](Result<api::Reply, std::string> reply) {
        respond(reply ? std::move(*reply)
                      : api::fail(api::ErrorCode::internal, "history: " + reply.error()));
    });
}

}  // namespace

json summary_of(const std::string& database, std::int64_t id) {
    h::SqliteDb db(database, true);
    h::Statement st(db, "SELECT summary_json FROM sessions WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return json::object();
    return json::parse(st.text(0), nullptr, false);
}

std::optional<double> profile_body_mass(const programs::ProfileLocation& profile) {
    const std::string path = profile.to_read();
    std::error_code ec;
    if (path.empty() || !std::filesystem::exists(path, ec)) return std::nullopt;
    const auto loaded = programs::load_profile_file(path);  // its errors: the daemon logs them
    return loaded.profile ? loaded.profile->body_mass_kg : std::nullopt;
}

void add_history_commands(api::CommandTable& table, api::OffLoopWorker& worker,
                          const std::string& database, const programs::ProfileLocation& profile) {
    table.add_deferred("export", [&worker, database, profile](const json& r, api::Respond respond) {
        if (!r.contains("session") || !r["session"].is_number_integer()) {
            return respond(
                api::fail(api::ErrorCode::bad_request, "'session' must be an integer (its id)"));
        }
        const auto format = r.contains("format") && r["format"].is_string()
                                ? h::format_from_name(r["format"].get<std::string>())
                                : std::nullopt;
        if (!format) {
            return respond(api::fail(api::ErrorCode::bad_value,
                                     "'format' must be \"fit\", \"tcx\", \"csv\" or \"laps-csv\""));
        }
        const auto id = r["session"].get<std::int64_t>();
        on_worker(
            worker,
            [database, profile, id, f = *format] { return export_reply(database, profile, id, f); },
            respond);
    });
    table.add_deferred("history", [&worker, database](const json&, api::Respond respond) {
        on_worker(
            worker,
            [database]() -> api::Reply {
                const auto sessions = h::list_sessions(database);
                if (!sessions) return api::fail(api::ErrorCode::internal, sessions.error());
                json list = json::array();
                for (const auto& s : *sessions) list.push_back(session_json(s));
                return api::serialized_fields({{"sessions", std::move(list)}});
            },
            respond);
    });
    table.add_deferred("history_show", [&worker, database](const json& r, api::Respond respond) {
        if (!r.contains("session") || !r["session"].is_number_integer()) {
            return respond(
                api::fail(api::ErrorCode::bad_request, "'session' must be an integer (its id)"));
        }
        const auto id = r["session"].get<std::int64_t>();
        on_worker(
            worker, [database, id] { return show_session(database, id); }, respond);
    });
    table.add_deferred("progress", [&worker, database](const json& r, api::Respond respond) {
        if (r.contains("all") && !r["all"].is_boolean()) {
            return respond(api::fail(api::ErrorCode::bad_request, "'all' must be true or false"));
        }
        const bool all = r.value("all", false);
        on_worker(
            worker, [database, all] { return progress_reply(database, all); }, respond);
    });
    table.add_deferred("bests", [&worker, database](const json& r, api::Respond respond) {
        if (r.contains("all") && !r["all"].is_boolean()) {
            return respond(api::fail(api::ErrorCode::bad_request, "'all' must be true or false"));
        }
        const bool all = r.value("all", false);
        on_worker(
            worker,
            [database, all]() -> api::Reply {
                const auto bests = h::personal_bests(database, all);
                if (!bests) return api::fail(api::ErrorCode::internal, bests.error());
                return json{{"bests", bests_json(*bests)}};
            },
            respond);
    });
}

}  // namespace treadmill::daemon
