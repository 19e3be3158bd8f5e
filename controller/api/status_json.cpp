#include "controller/api/status_json.hpp"

#include <ctime>
#include <optional>

namespace treadmill::api {

using nlohmann::json;

namespace {

template <typename T>
json or_null(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

json encode_fault(const std::optional<controller::FaultStatus>& fault, bool resettable,
                  TimePoint now_steady, std::chrono::system_clock::time_point now_wall) {
    if (!fault) return nullptr;
    const auto wall = now_wall - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                     now_steady - fault->since);
    return {{"code", fault->code},
            {"message", fault->message},
            {"since", format_rfc3339_utc(wall)},
            {"board_code", or_null(fault->board_code)},
            {"resettable", resettable}};
}

json encode_step(const std::optional<controller::StepStatus>& step) {
    if (!step) return nullptr;
    return {{"index", step->index},
            {"count", step->count},
            {"class", step->step_class},
            {"cue", step->cue},
            {"rep", or_null(step->rep)},
            {"reps", or_null(step->reps)},
            {"remaining_s", step->remaining_s},
            {"remaining_m", step->remaining_m}};
}

json encode_link(const controller::LinkStatus& link) {
    return {{"ok", link.ok},
            {"last_good_s_ago", or_null(link.last_good_s_ago)},
            {"errors", link.errors}};
}

}  // namespace

std::string format_rfc3339_utc(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
    const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[96];
    const auto millis = static_cast<int>(ms.count() % 1000);
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
    return text;
}

json encode_status(const controller::Status& s, TimePoint now_steady,
                   std::chrono::system_clock::time_point now_wall) {
    json program = nullptr;
    if (s.program) {
        program = {{"id", s.program->id}, {"name", s.program->name}, {"seeds", s.program->seeds}};
    }
    return {
        {"state", controller::to_string(s.state)},
        {"reason", or_null(s.reason)},
        {"fault", encode_fault(s.fault, s.resettable, now_steady, now_wall)},
        {"reset_pending", s.reset_pending},
        {"program", program},
        {"step", encode_step(s.step)},
        {"elapsed_s", or_null(s.elapsed_s)},
        {"distance_m", or_null(s.distance_m)},
        {"countdown_s", or_null(s.countdown_s)},
        {"speed",
         {{"program_kmh", or_null(s.speed.program_kmh)},
          {"target_kmh", s.speed.target_kmh},
          {"actual_kmh", or_null(s.speed.actual_kmh)}}},
        {"pace_s_per_km", or_null(s.pace_s_per_km)},
        {"incline",
         {{"program_pct", or_null(s.incline.program_pct)},
          {"target_pct", or_null(s.incline.target_pct)},
          {"actual_pct", or_null(s.incline.actual_pct)}}},
        {"key_present", or_null(s.key_present)},
        {"links", {{"motor", encode_link(s.motor)}, {"incline", encode_link(s.incline_link)}}},
        {"ready", s.ready},
    };
}

}  // namespace treadmill::api
