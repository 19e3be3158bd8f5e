// The history's tables, version kSchemaVersion (PRAGMA user_version).
#pragma once

namespace treadmill::history {

inline constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS sessions (
  id INTEGER PRIMARY KEY,
  program_id TEXT NOT NULL,
  name TEXT NOT NULL,
  program_yaml TEXT NOT NULL,
  profile_json TEXT NOT NULL,
  seeds_json TEXT NOT NULL,
  start_utc_ms INTEGER NOT NULL,
  utc_offset_s INTEGER NOT NULL,
  simulated INTEGER NOT NULL,
  software_version TEXT NOT NULL,
  ended TEXT NOT NULL DEFAULT 'running',
  fault_code TEXT,
  duration_s REAL NOT NULL DEFAULT 0,
  distance_mm INTEGER NOT NULL DEFAULT 0,
  summary_json TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS samples (
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  elapsed_s REAL NOT NULL,
  utc_ms INTEGER NOT NULL,
  distance_mm INTEGER NOT NULL,
  target_speed_kmh REAL NOT NULL,
  speed_kmh REAL NOT NULL,
  target_incline_pct REAL NOT NULL,
  incline_pct REAL NOT NULL,
  step INTEGER NOT NULL,
  rep INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS samples_by_session ON samples(session_id, elapsed_s);
CREATE TABLE IF NOT EXISTS laps (
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  idx INTEGER NOT NULL,
  kind TEXT NOT NULL,
  active INTEGER NOT NULL,
  step INTEGER NOT NULL,
  rep INTEGER NOT NULL,
  start_s REAL NOT NULL,
  start_mm INTEGER NOT NULL,
  closed INTEGER NOT NULL DEFAULT 0,
  time_s REAL NOT NULL DEFAULT 0,
  distance_m REAL NOT NULL DEFAULT 0,
  avg_speed_kmh REAL NOT NULL DEFAULT 0,
  max_speed_kmh REAL NOT NULL DEFAULT 0,
  avg_incline_pct REAL NOT NULL DEFAULT 0,
  ascent_m REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (session_id, idx)
);
CREATE TABLE IF NOT EXISTS events (
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  elapsed_s REAL NOT NULL,
  utc_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_session ON events(session_id);
CREATE TABLE IF NOT EXISTS bests (
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  distance TEXT NOT NULL,
  time_s REAL NOT NULL,
  start_s REAL NOT NULL,
  PRIMARY KEY (session_id, distance)
);
)sql";

}  // namespace treadmill::history
