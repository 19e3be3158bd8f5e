// Writes the fixture sessions as files for the independent decoders (decoders_test.sh), and
// beside each one what the record says: expected-<name>.json.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>

#include "history/export/export.hpp"
#include "history/export/session_timing.hpp"
#include "session_fixture.hpp"

using namespace treadmill::history;

namespace {

void write(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    if (!out) throw std::runtime_error("cannot write " + path);
}

std::string expected_json(const SessionRecord& r) {
    std::string laps, samples;
    for (const Lap& lap : r.laps)
        laps += (laps.empty() ? "" : ",") + std::to_string(lap.distance_m);
    for (const Sample& s : r.samples) {
        char row[96];
        std::snprintf(row, sizeof row, "%s[%lld,%.3f,%.3f]", samples.empty() ? "" : ",",
                      static_cast<long long>(s.utc_ms / 1000), s.speed_kmh / 3.6,
                      static_cast<double>(s.distance_mm) / 1000.0);
        samples += row;
    }
    return "{\"distance_m\":" + std::to_string(r.distance_m) +
           ",\"duration_s\":" + std::to_string(r.duration_s) +
           ",\"start_unix_s\":" + std::to_string(r.start_utc_ms / 1000) +
           ",\"walk\":" + (is_walk(r) ? "true" : "false") + ",\"laps_m\":[" + laps +
           "],\"samples\":[" + samples + "]}\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: write_export_fixtures DIR\n";
        return 2;
    }
    const std::string dir = argv[1];
    for (const auto& [name, record] : {std::pair{"interval", testing::interval_session()},
                                       std::pair{"walk", testing::walk_session()}}) {
        const std::string base = dir + "/" + name;
        write(base + ".fit", export_session(record, Format::fit, {70.0, "0.1.0"}).bytes);
        write(base + ".tcx", export_session(record, Format::tcx, {70.0, "0.1.0"}).bytes);
        write(base + ".csv", export_session(record, Format::csv).bytes);
        write(base + "-laps.csv", export_session(record, Format::laps_csv).bytes);
        write(dir + "/expected-" + name + ".json", expected_json(record));
    }
    return 0;
}
