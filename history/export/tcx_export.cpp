// A session as a Garmin TrainingCenterDatabase v2 activity: one Lap per lap, children in the
// schema's order, Trackpoints with Time, AltitudeMeters and DistanceMeters (no Position), the
// speed in the ActivityExtension v2 TPX.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/xml_text.hpp"
#include "history/export/encoders.hpp"
#include "history/export/session_timing.hpp"

namespace treadmill::history {

namespace {

constexpr const char* tcx_namespace = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2";
constexpr const char* ax_namespace = "http://www.garmin.com/xmlschemas/ActivityExtension/v2";

// A finite number (xsd:double has no "nan"); anything else is written as 0.
std::string number(double value, int decimals) {
    if (!std::isfinite(value)) value = 0.0;
    char text[48];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

// Text from the record, safe in the XML: valid UTF-8, escaped.
std::string escaped(const std::string& text) {
    return xml_text(with_valid_utf8(text));
}

// Schema: Time, Position?, AltitudeMeters?, DistanceMeters?, ..., Extensions?
void write_trackpoint(std::string& x, const Sample& s, double altitude_m) {
    x += "          <Trackpoint>\n            <Time>" + iso8601_utc(s.utc_ms) + "</Time>\n";
    x += "            <AltitudeMeters>" + number(altitude_m, 2) + "</AltitudeMeters>\n";
    x += "            <DistanceMeters>" + number(static_cast<double>(s.distance_mm) / 1000.0, 3) +
         "</DistanceMeters>\n";
    x += "            <Extensions><ns3:TPX><ns3:Speed>" + number(s.speed_kmh / 3.6, 3) +
         "</ns3:Speed></ns3:TPX></Extensions>\n          </Trackpoint>\n";
}

// Schema: TotalTimeSeconds, DistanceMeters, MaximumSpeed?, Calories, AverageHeartRateBpm?,
// MaximumHeartRateBpm?, Intensity, Cadence?, TriggerMethod, Track*, Notes?, Extensions?
void write_lap(std::string& x, const SessionRecord& r, const Lap& lap, int calories,
               const std::vector<Pause>& pauses, const std::string& trackpoints) {
    x +=
        "      <Lap StartTime=\"" + iso8601_utc(wall_ms_at(r, pauses, lap.start_s, true)) + "\">\n";
    x += "        <TotalTimeSeconds>" + number(lap.time_s, 1) + "</TotalTimeSeconds>\n";
    x += "        <DistanceMeters>" + number(lap.distance_m, 2) + "</DistanceMeters>\n";
    x += "        <MaximumSpeed>" + number(lap.max_speed_kmh / 3.6, 3) + "</MaximumSpeed>\n";
    x += "        <Calories>" + std::to_string(std::clamp(calories, 0, 65535)) + "</Calories>\n";
    x +=
        std::string("        <Intensity>") + (lap.active ? "Active" : "Resting") + "</Intensity>\n";
    // The program's steps end on time or distance; the schema's nearest word is Manual for
    // either (Time/Distance would claim a device auto-lap).
    x += "        <TriggerMethod>Manual</TriggerMethod>\n";
    // The schema wants at least one Trackpoint in a Track.
    if (!trackpoints.empty()) x += "        <Track>\n" + trackpoints + "        </Track>\n";
    x += "        <Notes>" + escaped(lap.kind) + "</Notes>\n";
    x += "        <Extensions><ns3:LX><ns3:AvgSpeed>" + number(lap.avg_speed_kmh / 3.6, 3) +
         "</ns3:AvgSpeed></ns3:LX></Extensions>\n      </Lap>\n";
}

}  // namespace

std::string encode_tcx(const SessionRecord& record, const ExportOptions& options) {
    const std::vector<Pause> pauses = pauses_of(record);
    const std::vector<double> altitude = synthesised_altitude(record);
    const std::vector<int> calories = lap_calories(record, options.body_mass_kg);
    std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x += std::string("<TrainingCenterDatabase xmlns=\"") + tcx_namespace + "\" xmlns:ns3=\"" +
         ax_namespace + "\">\n  <Activities>\n";
    x += std::string("    <Activity Sport=\"") + (is_walk(record) ? "Other" : "Running") + "\">\n";
    x += "      <Id>" + iso8601_utc(record.start_utc_ms) + "</Id>\n";
    std::vector<std::string> trackpoints(record.laps.size());
    for (std::size_t i = 0; i < record.samples.size(); ++i) {
        const Sample& s = record.samples[i];
        write_trackpoint(trackpoints[lap_index_at(record, s.elapsed_s)], s, altitude[i]);
    }
    for (std::size_t i = 0; i < record.laps.size(); ++i)
        write_lap(x, record, record.laps[i], calories[i], pauses, trackpoints[i]);
    x += "      <Notes>" + escaped(record.name.empty() ? record.program_id : record.name) +
         "</Notes>\n";
    x += "    </Activity>\n  </Activities>\n</TrainingCenterDatabase>\n";
    return x;
}

}  // namespace treadmill::history
