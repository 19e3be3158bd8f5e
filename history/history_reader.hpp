// Reading the history back: a session list, one whole session as a SessionRecord, personal
// bests. Each call opens its own read-only connection, so readers (the API's worker thread,
// treadmillctl's tests) never share the writer's. Errors come back as text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "history/session_record.hpp"
#include "history/sqlite_db.hpp"

namespace treadmill::history {

// One personal best: the fastest stretch of a distance and the session it is in.
struct PersonalBest {
    std::string distance;  // 400m, 800m, 1km, mile, 5km, 10km
    double time_s = 0;
    std::int64_t session = 0;
    std::int64_t start_utc_ms = 0;  // the session's start
    int utc_offset_s = 0;
};

// Sessions newest first, without samples, laps or events.
Result<std::vector<SessionRecord>, std::string> list_sessions(const std::string& path);
// One session with its samples, laps and events; an error when there is no such id.
Result<SessionRecord, std::string> load_session(const std::string& path, std::int64_t id);
// The best of each distance over all sessions (simulated ones only when `all`), skipping
// `except` (to compare a new session with what came before it).
Result<std::vector<PersonalBest>, std::string> personal_bests(
    const std::string& path, bool all, std::optional<std::int64_t> except = std::nullopt);
// The session's own bests, in kBestDistances' order of those it covered.
Result<std::vector<PersonalBest>, std::string> bests_of_session(const std::string& path,
                                                                std::int64_t id);

// On an open connection (the store uses these too).
std::vector<Sample> read_samples(SqliteDb& db, std::int64_t session);
std::vector<Event> read_events(SqliteDb& db, std::int64_t session);
std::vector<Lap> read_laps(SqliteDb& db, std::int64_t session);

std::string to_string(Ended e);
std::optional<Ended> ended_from_string(const std::string& text);

}  // namespace treadmill::history
