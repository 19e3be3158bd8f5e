// Turns libmodbus's errno of a failed call into a LinkError of the right kind.
#pragma once

#include <string_view>

#include "protocols/link_error.hpp"

namespace treadmill {

// Classifies `errnum` (errno after a failed libmodbus call): time-out, CRC, wrong unit,
// exception (with its code), bad reply, or I/O for everything else. `context` prefixes the
// message (e.g. "read 0x2100+7 unit 1").
LinkError classify_modbus_errno(int errnum, std::string_view context = {});

// True for errors after which the connection itself is unusable and must be reopened
// (connection reset, broken pipe, device gone...).
bool is_connection_lost(int errnum);

}  // namespace treadmill
