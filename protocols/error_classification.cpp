// errno -> LinkError, after libmodbus 3.1.6's conventions.
#include "protocols/error_classification.hpp"

#include <modbus/modbus.h>

#include <cerrno>
#include <string>

namespace treadmill {

namespace {

LinkError::Kind kind_of(int errnum) {
    if (errnum >= EMBXILFUN && errnum <= EMBXGTAR) return LinkError::Kind::exception;
    switch (errnum) {
        case ETIMEDOUT:
            return LinkError::Kind::timeout;
        case EMBBADCRC:
            return LinkError::Kind::crc;
        case EMBBADSLAVE:
            return LinkError::Kind::wrong_unit;
        case EMBBADDATA:
        case EMBMDATA:
        case EMBBADEXC:
        case EMBUNKEXC:
            return LinkError::Kind::bad_reply;
        default:
            return LinkError::Kind::io;
    }
}

}  // namespace

LinkError classify_modbus_errno(int errnum, std::string_view context) {
    LinkError error;
    error.kind = kind_of(errnum);
    if (error.kind == LinkError::Kind::exception) {
        error.exception_code = static_cast<std::uint8_t>(errnum - MODBUS_ENOBASE);
    }
    std::string text = modbus_strerror(errnum);
    error.message = context.empty() ? text : std::string(context) + ": " + text;
    return error;
}

bool is_connection_lost(int errnum) {
    switch (errnum) {
        case ECONNRESET:
        case ECONNREFUSED:
        case ECONNABORTED:
        case EPIPE:
        case EBADF:
        case ENOTCONN:
        case ENODEV:
        case ENXIO:
        case EIO:
        case ESHUTDOWN:
            return true;
        default:
            return false;
    }
}

}  // namespace treadmill
