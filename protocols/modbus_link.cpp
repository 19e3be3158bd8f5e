// ModbusLink: libmodbus context, time-outs, late-reply handling, error classification, stats.
#include "protocols/modbus_link.hpp"

#include <modbus/modbus.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <thread>

#include "protocols/bus_timing.hpp"
#include "protocols/error_classification.hpp"
#include "protocols/modbus_pdu.hpp"

namespace treadmill {

namespace {

constexpr int kMaxReadRegisters = MODBUS_MAX_READ_REGISTERS;
constexpr int kMaxWriteRegisters = MODBUS_MAX_WRITE_REGISTERS;
constexpr Duration kMaxLateReplyGuard = std::chrono::seconds(1);

// "unit 1 read 0x2100+7", for error messages.
std::string describe_request(const char* what, int unit, std::uint16_t address, int count) {
    char text[64];
    std::snprintf(text, sizeof text, "unit %d %s 0x%04X+%d", unit, what, address, count);
    return text;
}

LinkError usage_error(std::string message) {
    return LinkError{LinkError::Kind::bad_reply, 0, std::move(message)};
}

// libmodbus wants seconds and microseconds.
void split_timeout(Duration d, std::uint32_t& sec, std::uint32_t& usec) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    const auto clamped = std::max<long long>(us, 1000);  // at least 1 ms; 0 would be rejected
    sec = static_cast<std::uint32_t>(clamped / 1'000'000);
    usec = static_cast<std::uint32_t>(clamped % 1'000'000);
}

}  // namespace

ModbusLink::ModbusLink(LinkConfig config) : config_(std::move(config)) {}

ModbusLink::~ModbusLink() {
    close();
}

void ModbusLink::use_in_process(PduExchange exchange) {
    close();
    exchange_ = std::move(exchange);
}

void ModbusLink::close() {
    in_process_open_ = false;
    if (ctx_ == nullptr) return;
    modbus_close(ctx_);
    modbus_free(ctx_);
    ctx_ = nullptr;
}

Duration ModbusLink::late_reply_guard(int reply_bytes) const {
    if (config_.late_reply_guard) return *config_.late_reply_guard;
    if (config_.transport == Transport::tcp) return Duration::zero();
    return bus::late_reply_guard(serial_format(config_), reply_bytes);
}

Result<Done, LinkError> ModbusLink::open(TimePoint /*now*/) {
    close();
    connection_lost_ = false;
    quiet_until_.reset();
    if (exchange_) {
        in_process_open_ = true;
        ++stats_.opens;
        return Done{};
    }
    if (config_.transport == Transport::rtu) {
        ctx_ = modbus_new_rtu(config_.device.c_str(), config_.baud, parity_letter(config_.parity),
                              config_.data_bits, config_.stop_bits);
    } else if (!is_numeric_host(config_.host)) {
        // modbus_connect would resolve the name (getaddrinfo, DNS) on the loop's thread.
        return Unexpected{
            LinkError{LinkError::Kind::io, 0,
                      "open " + describe(config_) + ": the host must be a numeric IP address"}};
    } else if (config_.host.find(':') == std::string::npos) {
        ctx_ = modbus_new_tcp(config_.host.c_str(), config_.port);  // IPv4: inet_addr only
    } else {
        // IPv6: libmodbus's getaddrinfo sees numeric strings only, so it never asks DNS.
        const std::string port = std::to_string(config_.port);
        ctx_ = modbus_new_tcp_pi(config_.host.c_str(), port.c_str());
    }
    if (ctx_ == nullptr)
        return Unexpected{classify_modbus_errno(errno, "new " + describe(config_))};
    auto configured = configure_context();
    if (!configured) {
        close();
        return configured;
    }
    ++stats_.opens;
    return Done{};
}

// Time-outs, recovery off, connect, RS-485 mode (ENOTTY on ptys and USB adapters is fine).
Result<Done, LinkError> ModbusLink::configure_context() {
    std::uint32_t sec = 0;
    std::uint32_t usec = 0;
    split_timeout(config_.response_timeout, sec, usec);
    if (modbus_set_response_timeout(ctx_, sec, usec) != 0 ||
        modbus_set_byte_timeout(ctx_, 0, 0) != 0 ||
        modbus_set_error_recovery(ctx_, MODBUS_ERROR_RECOVERY_NONE) != 0) {
        return Unexpected{classify_modbus_errno(errno, "set time-outs " + describe(config_))};
    }
    if (modbus_connect(ctx_) != 0) {
        return Unexpected{classify_modbus_errno(errno, "connect " + describe(config_))};
    }
    if (config_.transport == Transport::rtu && config_.rs485_mode &&
        modbus_rtu_set_serial_mode(ctx_, MODBUS_RTU_RS485) != 0 && errno != ENOTTY) {
        return Unexpected{classify_modbus_errno(errno, "RS-485 mode " + describe(config_))};
    }
    return Done{};
}

LinkError ModbusLink::not_open_error() const {
    return LinkError{LinkError::Kind::io, 0,
                     (connection_lost_ ? "connection lost: " : "not open: ") + describe(config_)};
}

// Before each request: keep the bus quiet until a late reply is over, then drop stale input.
void ModbusLink::prepare_request() {
    if (quiet_until_) {
        const auto remaining = std::min(*quiet_until_ - SteadyClock::now(), kMaxLateReplyGuard);
        if (remaining > Duration::zero()) {
            std::this_thread::sleep_for(remaining);
            ++stats_.quiet_waits;
            stats_.quiet_wait_total += remaining;
        }
        quiet_until_.reset();
    }
    if (exchange_) return;
    int pending = 0;
    if (::ioctl(modbus_get_socket(ctx_), FIONREAD, &pending) == 0 && pending > 0) {
        stats_.flushed_bytes += static_cast<std::uint64_t>(pending);
    }
    if (pending > 0 || config_.transport == Transport::rtu) modbus_flush(ctx_);
}

// After a failure: how long to keep the bus quiet before the next request.
void ModbusLink::quiet_after(const LinkError& error, int reply_bytes) {
    const auto now = SteadyClock::now();
    switch (error.kind) {
        case LinkError::Kind::timeout:
            quiet_until_ = now + late_reply_guard(reply_bytes);
            break;
        case LinkError::Kind::crc:
        case LinkError::Kind::wrong_unit:
        case LinkError::Kind::bad_reply:
            if (config_.transport == Transport::rtu) {
                const auto format = serial_format(config_);
                quiet_until_ = now + bus::t35(format) + bus::frame_time(format, reply_bytes);
            }
            break;
        case LinkError::Kind::exception:
        case LinkError::Kind::io:
            break;
    }
}

template <class Call>
Result<Done, LinkError> ModbusLink::transact(TimePoint now, int unit, int reply_bytes, Call call,
                                             const char* what, std::uint16_t address, int count) {
    if (!is_open() || connection_lost_) return Unexpected{not_open_error()};
    if (ctx_ != nullptr ? modbus_set_slave(ctx_, unit) != 0 : (unit < 0 || unit > 247)) {
        return Unexpected{
            usage_error(describe_request(what, unit, address, count) + ": invalid unit id")};
    }
    prepare_request();
    const auto started = SteadyClock::now();
    const int rc = call();
    const int saved_errno = errno;
    if (rc != -1) {
        stats_.record_good(now, SteadyClock::now() - started);
        return Done{};
    }
    LinkError error =
        classify_modbus_errno(saved_errno, describe_request(what, unit, address, count));
    quiet_after(error, reply_bytes);
    if (error.kind == LinkError::Kind::io && is_connection_lost(saved_errno)) {
        // Device gone or connection reset: release the descriptor now (a USB adapter re-plugged
        // while it is held comes back under another name); open() starts afresh.
        connection_lost_ = true;
        close();
    }
    stats_.record_failure(error);
    return Unexpected{std::move(error)};
}

Result<Registers, LinkError> ModbusLink::read_registers(TimePoint now, int unit,
                                                        std::uint16_t address, int count) {
    if (count < 1 || count > kMaxReadRegisters) {
        return Unexpected{usage_error(describe_request("read", unit, address, count) +
                                      ": register count out of range")};
    }
    Registers values(static_cast<std::size_t>(count));
    auto done = transact(
        now, unit, bus::read_reply_bytes(count),
        [&] {
            if (own_framing()) {
                return pdu_exchange(
                    unit, pdu::read_registers_request(address, static_cast<std::uint16_t>(count)),
                    values);
            }
            return modbus_read_registers(ctx_, address, count, values.data());
        },
        "read", address, count);
    if (!done) return Unexpected{done.error()};
    return values;
}

Result<Done, LinkError> ModbusLink::write_register(TimePoint now, int unit, std::uint16_t address,
                                                   std::uint16_t value) {
    return transact(
        now, unit, bus::write_single_reply_bytes(),
        [&] {
            if (own_framing()) {
                return pdu_exchange(unit, pdu::write_register_request(address, value), {});
            }
            return modbus_write_register(ctx_, address, value);
        },
        "write", address, 1);
}

Result<Done, LinkError> ModbusLink::write_registers(TimePoint now, int unit, std::uint16_t address,
                                                    std::span<const std::uint16_t> values) {
    const int count = static_cast<int>(values.size());
    if (count < 1 || count > kMaxWriteRegisters) {
        return Unexpected{usage_error(describe_request("write", unit, address, count) +
                                      ": register count out of range")};
    }
    return transact(
        now, unit, bus::write_multiple_reply_bytes(),
        [&] {
            if (own_framing()) {
                return pdu_exchange(unit, pdu::write_registers_request(address, values), {});
            }
            return modbus_write_registers(ctx_, address, count, values.data());
        },
        "write", address, count);
}

}  // namespace treadmill
