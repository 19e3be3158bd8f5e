// A session as a FIT activity file: file_id, device_info, timer events, records, then the summary
// messages (laps, session, activity) last. Field numbers and types: FIT profile 21.217.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "history/export/encoders.hpp"
#include "history/export/fit_writer.hpp"
#include "history/export/session_timing.hpp"

namespace treadmill::history {

namespace {

using fit::BaseType;
using fit::Field;

// Global message numbers and profile values (FIT profile, "Messages" and "Types").
enum Mesg : std::uint16_t {
    file_id = 0,
    session = 18,
    lap = 19,
    record = 20,
    event = 21,
    device_info = 23,
    activity = 34
};
constexpr std::uint8_t timestamp_field = 253, message_index_field = 254;
constexpr std::int64_t file_activity = 4, manufacturer_development = 255, source_local = 5;
constexpr std::int64_t event_timer = 0, event_session = 8, event_lap = 9, event_activity = 26;
constexpr std::int64_t type_start = 0, type_stop = 1, type_stop_all = 4;
constexpr std::int64_t sport_running = 1, sport_walking = 11, sub_sport_treadmill = 1;
constexpr std::int64_t intensity_active = 0, intensity_rest = 1, intensity_warmup = 2,
                       intensity_cooldown = 3;
constexpr std::int64_t trigger_manual = 0, trigger_session_end = 7, trigger_fitness_equipment = 8;
constexpr std::int64_t session_trigger_activity_end = 0, activity_manual = 0;

Field u8(std::uint8_t n, std::int64_t v) {
    return {n, BaseType::uint8, v, {}};
}
Field en(std::uint8_t n, std::int64_t v) {
    return {n, BaseType::enum_, v, {}};
}
Field u16(std::uint8_t n, std::int64_t v) {
    return {n, BaseType::uint16, v, {}};
}
Field u32(std::uint8_t n, std::int64_t v) {
    return {n, BaseType::uint32, v, {}};
}
Field time_field(std::uint8_t n, std::int64_t utc_ms) {
    return u32(n, fit::fit_time(utc_ms));
}
Field u16_scaled(std::uint8_t n, double v, double scale, double offset = 0.0) {
    return {n, BaseType::uint16, fit::scaled(v, scale, offset, BaseType::uint16), {}};
}
Field u32_scaled(std::uint8_t n, double v, double scale, double offset = 0.0) {
    return {n, BaseType::uint32, fit::scaled(v, scale, offset, BaseType::uint32), {}};
}
Field grade_field(std::uint8_t n, double pct) {
    return {n, BaseType::sint16, fit::scaled(pct, 100, 0, BaseType::sint16), {}};
}
double ms(double kmh) {
    return kmh / 3.6;
}

// Software version "0.1.0" as the profile's uint16 scaled by 100: major.minor, 0.1 -> 10.
std::int64_t version_hundredths(const std::string& version) {
    int major = 0, minor = 0;
    std::sscanf(version.c_str(), "%d.%d", &major, &minor);
    const double value =
        std::strtod((std::to_string(major) + "." + std::to_string(minor)).c_str(), nullptr);
    return fit::scaled(value, 100, 0, BaseType::uint16);
}

std::int64_t intensity_of(const Lap& lap) {
    if (lap.kind == "warmup") return intensity_warmup;
    if (lap.kind == "cooldown") return intensity_cooldown;
    return lap.active ? intensity_active : intensity_rest;
}

// The program moved on (fitness equipment), the user skipped (manual), or the session ended.
std::int64_t lap_trigger_of(const SessionRecord& record, std::size_t index) {
    const Lap& lap = record.laps[index];
    const double end = lap.start_s + lap.time_s;
    const bool skipped = std::any_of(
        record.events.begin(), record.events.end(),
        [&](const Event& e) { return e.kind == "skip" && std::abs(e.elapsed_s - end) <= 1.0; });
    if (skipped) return trigger_manual;
    if (index + 1 == record.laps.size()) return trigger_session_end;
    return trigger_fitness_equipment;
}

void write_header_messages(fit::Writer& w, const SessionRecord& r, const ExportOptions& o) {
    w.message(file_id, {en(0, file_activity),
                        u16(1, manufacturer_development),
                        u16(2, 1),
                        {3, BaseType::uint32z, std::max<std::int64_t>(r.id, 1) & 0xFFFFFFFF, {}},
                        time_field(4, r.start_utc_ms)});
    w.message(device_info, {time_field(timestamp_field, r.start_utc_ms),
                            u8(0, 0),
                            u16(2, manufacturer_development),
                            u16(4, 1),
                            u16(5, version_hundredths(o.software_version)),
                            en(25, source_local),
                            {27, BaseType::string, 0, "treadmilld"}});
}

void write_timer_event(fit::Writer& w, std::int64_t utc_ms, std::int64_t type) {
    w.message(event, {time_field(timestamp_field, utc_ms), en(0, event_timer), en(1, type),
                      u32(3, 0 /* timer_trigger manual */), u8(4, 0)});
}

struct TimerEvent {
    std::int64_t utc_ms;
    std::int64_t type;
};

// The timer starts at the start, stops at each pause and starts at its resume, and stops at the
// end (unless the session ended paused, when it is already stopped).
std::vector<TimerEvent> timer_events(const SessionRecord& r, const std::vector<Pause>& pauses) {
    std::vector<TimerEvent> events{{r.start_utc_ms, type_start}};
    for (const Pause& p : pauses) {
        events.push_back({p.begin_utc_ms, type_stop_all});
        if (p.resumed) events.push_back({p.end_utc_ms, type_start});
    }
    if (pauses.empty() || pauses.back().resumed)
        events.push_back({end_wall_ms(r, pauses), type_stop_all});
    return events;
}

// Records and timer events merged in wall-clock order: a sample in the same second as a stop
// comes before it (it closes the second), one in the same second as a start after it. Samples
// of a belt still ramping down after the pause fall after the stop.
void write_records(fit::Writer& w, const SessionRecord& r, const std::vector<TimerEvent>& events) {
    const std::vector<double> altitude = synthesised_altitude(r);
    std::size_t next = 0;
    const auto due = [&](std::int64_t utc_ms) {
        return next < events.size() &&
               (events[next].utc_ms < utc_ms ||
                (events[next].utc_ms == utc_ms && events[next].type == type_start));
    };
    for (std::size_t i = 0; i < r.samples.size(); ++i) {
        const Sample& s = r.samples[i];
        for (; due(s.utc_ms); ++next) write_timer_event(w, events[next].utc_ms, events[next].type);
        w.message(record,
                  {time_field(timestamp_field, s.utc_ms),
                   u32_scaled(5, static_cast<double>(s.distance_mm) / 1000.0, 100),
                   u16_scaled(6, ms(s.speed_kmh), 1000), u32_scaled(73, ms(s.speed_kmh), 1000),
                   u16_scaled(2, altitude[i], 5, 500), u32_scaled(78, altitude[i], 5, 500),
                   grade_field(9, s.incline_pct)});
    }
    for (; next < events.size(); ++next)
        write_timer_event(w, events[next].utc_ms, events[next].type);
}

struct Context {
    const SessionRecord& record;
    const std::vector<Pause>& pauses;
    std::int64_t sport;
    std::vector<int> calories;
    bool has_calories;
};

void write_lap(fit::Writer& w, const Context& c, std::size_t index) {
    const Lap& lap = c.record.laps[index];
    const std::int64_t begin = wall_ms_at(c.record, c.pauses, lap.start_s, true);
    const std::int64_t end = wall_ms_at(c.record, c.pauses, lap.start_s + lap.time_s, false);
    std::vector<Field> f = {u16(message_index_field, static_cast<std::int64_t>(index)),
                            time_field(timestamp_field, end),
                            en(0, event_lap),
                            en(1, type_stop),
                            time_field(2, begin),
                            u32_scaled(7, static_cast<double>(end - begin) / 1000.0, 1000),
                            u32_scaled(8, lap.time_s, 1000),
                            u32_scaled(9, lap.distance_m, 100)};
    if (c.has_calories) f.push_back(u16_scaled(11, c.calories[index], 1));
    f.insert(
        f.end(),
        {u16_scaled(13, ms(lap.avg_speed_kmh), 1000), u16_scaled(14, ms(lap.max_speed_kmh), 1000),
         u32_scaled(110, ms(lap.avg_speed_kmh), 1000), u32_scaled(111, ms(lap.max_speed_kmh), 1000),
         u16_scaled(21, lap.ascent_m, 1), u16(22, 0), en(23, intensity_of(lap)),
         en(24, lap_trigger_of(c.record, index)), en(25, c.sport), en(39, sub_sport_treadmill),
         grade_field(45, lap.avg_incline_pct)});
    w.message(Mesg::lap, f);
}

// The session: the laps' totals, the record's distance and workout time.
void write_session(fit::Writer& w, const Context& c, std::int64_t end) {
    const SessionRecord& r = c.record;
    double max_kmh = 0.0, ascent = 0.0, incline_time = 0.0, calories = 0.0;
    for (const Lap& lap : r.laps) {
        max_kmh = std::max(max_kmh, lap.max_speed_kmh);
        ascent += lap.ascent_m;
        incline_time += lap.avg_incline_pct * lap.time_s;
    }
    for (int k : c.calories) calories += k;
    const double avg_ms = r.duration_s > 0 ? r.distance_m / r.duration_s : 0.0;
    std::vector<Field> f = {u16(message_index_field, 0),
                            time_field(timestamp_field, end),
                            en(0, event_session),
                            en(1, type_stop),
                            time_field(2, r.start_utc_ms),
                            en(5, c.sport),
                            en(6, sub_sport_treadmill),
                            u32_scaled(7, static_cast<double>(end - r.start_utc_ms) / 1000.0, 1000),
                            u32_scaled(8, r.duration_s, 1000),
                            u32_scaled(9, r.distance_m, 100)};
    if (c.has_calories) f.push_back(u16_scaled(11, calories, 1));
    f.insert(f.end(), {u16_scaled(14, avg_ms, 1000), u16_scaled(15, ms(max_kmh), 1000),
                       u32_scaled(124, avg_ms, 1000), u32_scaled(125, ms(max_kmh), 1000),
                       u16_scaled(22, ascent, 1), u16(23, 0), u16(25, 0),
                       u16(26, static_cast<std::int64_t>(r.laps.size())),
                       en(28, session_trigger_activity_end),
                       grade_field(52, r.duration_s > 0 ? incline_time / r.duration_s : 0.0)});
    w.message(session, f);
}

// Summary messages last: laps, session, activity.
void write_summary(fit::Writer& w, const Context& c) {
    const SessionRecord& r = c.record;
    for (std::size_t i = 0; i < r.laps.size(); ++i) write_lap(w, c, i);
    const std::int64_t end = end_wall_ms(r, c.pauses);
    write_session(w, c, end);
    w.message(activity, {time_field(timestamp_field, end), u32_scaled(0, r.duration_s, 1000),
                         u16(1, 1), en(2, activity_manual), en(3, event_activity), en(4, type_stop),
                         time_field(5, end + r.utc_offset_s * 1000LL)});
}

}  // namespace

std::string encode_fit(const SessionRecord& record, const ExportOptions& options) {
    const std::vector<Pause> pauses = pauses_of(record);
    fit::Writer w;
    write_header_messages(w, record, options);
    write_records(w, record, timer_events(record, pauses));
    const Context context{record, pauses, is_walk(record) ? sport_walking : sport_running,
                          lap_calories(record, options.body_mass_kg),
                          options.body_mass_kg.has_value()};
    write_summary(w, context);
    return w.finish();
}

}  // namespace treadmill::history
