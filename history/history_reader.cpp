#include "history/history_reader.hpp"

#include <array>

#include "history/bests.hpp"

namespace treadmill::history {

namespace {

constexpr std::array<const char*, 5> kEndedNames{"completed", "stopped", "fault", "interrupted",
                                                 "running"};

const char* kSessionColumns =
    "SELECT id, program_id, name, start_utc_ms, utc_offset_s, duration_s, distance_mm, ended,"
    " fault_code, simulated FROM sessions";

SessionRecord session_from(const Statement& st) {
    SessionRecord r;
    r.id = st.int64(0);
    r.program_id = st.text(1);
    r.name = st.text(2);
    r.start_utc_ms = st.int64(3);
    r.utc_offset_s = static_cast<int>(st.int64(4));
    r.duration_s = st.real(5);
    r.distance_m = static_cast<double>(st.int64(6)) / 1000;
    r.ended = ended_from_string(st.text(7)).value_or(Ended::interrupted);
    if (!st.is_null(8)) r.fault_code = st.text(8);
    r.simulated = st.int64(9) != 0;
    return r;
}

// Runs `read` on a fresh read-only connection; SQLite's errors become the result's error.
template <typename T, typename F>
Result<T, std::string> reading(const std::string& path, F&& read) {
    try {
        SqliteDb db(path, true);
        db.exec("PRAGMA busy_timeout = 1000");
        return read(db);
    } catch (const std::exception& e) {
        return Unexpected{std::string("history: ") + e.what()};
    }
}

PersonalBest best_from(const Statement& st) {
    return {st.text(0), st.real(1), st.int64(2), st.int64(3), static_cast<int>(st.int64(4))};
}

}  // namespace

std::string to_string(Ended e) {
    return kEndedNames[static_cast<std::size_t>(e)];
}

std::optional<Ended> ended_from_string(const std::string& text) {
    for (std::size_t i = 0; i < kEndedNames.size(); ++i) {
        if (text == kEndedNames[i]) return static_cast<Ended>(i);
    }
    return std::nullopt;
}

std::vector<Sample> read_samples(SqliteDb& db, std::int64_t session) {
    Statement st(db,
                 "SELECT elapsed_s, utc_ms, distance_mm, target_speed_kmh, speed_kmh,"
                 " target_incline_pct, incline_pct, step, rep FROM samples"
                 " WHERE session_id = ? ORDER BY elapsed_s, rowid");
    st.bind(1, session);
    std::vector<Sample> samples;
    while (st.step()) {
        samples.push_back({st.real(0), st.int64(1), st.int64(2), st.real(3), st.real(4), st.real(5),
                           st.real(6), static_cast<int>(st.int64(7)),
                           static_cast<int>(st.int64(8))});
    }
    return samples;
}

std::vector<Event> read_events(SqliteDb& db, std::int64_t session) {
    Statement st(db,
                 "SELECT elapsed_s, utc_ms, kind, detail FROM events WHERE session_id = ?"
                 " ORDER BY rowid");
    st.bind(1, session);
    std::vector<Event> events;
    while (st.step()) events.push_back({st.real(0), st.int64(1), st.text(2), st.text(3)});
    return events;
}

std::vector<Lap> read_laps(SqliteDb& db, std::int64_t session) {
    Statement st(db,
                 "SELECT kind, active, start_s, time_s, distance_m, avg_speed_kmh,"
                 " max_speed_kmh, avg_incline_pct, ascent_m FROM laps WHERE session_id = ?"
                 " ORDER BY idx");
    st.bind(1, session);
    std::vector<Lap> laps;
    while (st.step()) {
        laps.push_back({st.text(0), st.int64(1) != 0, st.real(2), st.real(3), st.real(4),
                        st.real(5), st.real(6), st.real(7), st.real(8)});
    }
    return laps;
}

Result<std::vector<SessionRecord>, std::string> list_sessions(const std::string& path) {
    return reading<std::vector<SessionRecord>>(path, [](SqliteDb& db) {
        Statement st(db, std::string(kSessionColumns) + " ORDER BY id DESC");
        std::vector<SessionRecord> sessions;
        while (st.step()) sessions.push_back(session_from(st));
        return sessions;
    });
}

Result<SessionRecord, std::string> load_session(const std::string& path, std::int64_t id) {
    return reading<SessionRecord>(path, [id](SqliteDb& db) -> Result<SessionRecord, std::string> {
        Statement st(db, std::string(kSessionColumns) + " WHERE id = ?");
        st.bind(1, id);
        if (!st.step()) return Unexpected{"history: no session " + std::to_string(id)};
        SessionRecord r = session_from(st);
        r.samples = read_samples(db, id);
        r.laps = read_laps(db, id);
        r.events = read_events(db, id);
        return r;
    });
}

Result<std::vector<PersonalBest>, std::string> personal_bests(const std::string& path, bool all,
                                                              std::optional<std::int64_t> except) {
    return reading<std::vector<PersonalBest>>(path, [&](SqliteDb& db) {
        // The earliest session wins a tie: a best is only beaten by a faster time.
        Statement st(db,
                     "SELECT b.distance, b.time_s, b.session_id, s.start_utc_ms, s.utc_offset_s"
                     " FROM bests b JOIN sessions s ON s.id = b.session_id"
                     " WHERE b.distance = ? AND (? OR s.simulated = 0) AND b.session_id != ?"
                     " ORDER BY b.time_s, s.id LIMIT 1");
        std::vector<PersonalBest> bests;
        for (const auto& d : kBestDistances) {
            st.bind(1, std::string(d.label)).bind(2, all ? 1 : 0).bind(3, except.value_or(-1));
            if (st.step()) bests.push_back(best_from(st));
            st.reset();
        }
        return bests;
    });
}

Result<std::vector<PersonalBest>, std::string> bests_of_session(const std::string& path,
                                                                std::int64_t id) {
    return reading<std::vector<PersonalBest>>(path, [id](SqliteDb& db) {
        Statement st(db,
                     "SELECT b.distance, b.time_s, b.session_id, s.start_utc_ms, s.utc_offset_s"
                     " FROM bests b JOIN sessions s ON s.id = b.session_id"
                     " WHERE b.distance = ? AND b.session_id = ?");
        std::vector<PersonalBest> bests;
        for (const auto& d : kBestDistances) {
            st.bind(1, std::string(d.label)).bind(2, id);
            if (st.step()) bests.push_back(best_from(st));
            st.reset();
        }
        return bests;
    });
}

}  // namespace treadmill::history
