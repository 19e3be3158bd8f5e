// The three encoders behind export_session (export.hpp), one file each.
#pragma once

#include <string>

#include "history/export/export.hpp"

namespace treadmill::history {

std::string encode_fit(const SessionRecord& record, const ExportOptions& options);
std::string encode_tcx(const SessionRecord& record, const ExportOptions& options);
std::string encode_samples_csv(const SessionRecord& record);
std::string encode_laps_csv(const SessionRecord& record);

}  // namespace treadmill::history
