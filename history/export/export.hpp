// Export of one recorded session to the files runners upload (FIT, TCX) or read (CSV): pure
// functions from a SessionRecord to bytes, no I/O. docs/history-export.md describes the formats.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "history/session_record.hpp"

namespace treadmill::history {

enum class Format { fit, tcx, csv, laps_csv };

// What the record itself does not hold.
struct ExportOptions {
    std::optional<double> body_mass_kg;  // for the energy estimate; without it, calories are 0
    std::string software_version = "0.1.0";
};

struct ExportFile {
    std::string filename;  // e.g. treadmill-42-20261207-0700.fit (start in UTC)
    std::string bytes;
};

ExportFile export_session(const SessionRecord& record, Format format,
                          const ExportOptions& options = {});

// "fit", "tcx", "csv", "laps-csv"; nullopt for anything else.
std::optional<Format> format_from_name(std::string_view name);

}  // namespace treadmill::history
