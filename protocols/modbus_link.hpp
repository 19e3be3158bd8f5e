// One Modbus bus (RTU or TCP) as an RAII object over a libmodbus context. Every transaction is
// a value: the registers or a classified LinkError. Never retries, never reconnects by itself;
// an error that breaks the connection (EIO, ENODEV, EBADF, a hung-up pty, a reset socket) closes
// the context at once and leaves connection_lost() set until the next open().
// Not thread safe: one link per bus, owned by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "protocols/link_config.hpp"
#include "protocols/link_error.hpp"
#include "protocols/link_statistics.hpp"

struct _modbus;  // libmodbus's opaque context (modbus_t); only modbus_link.cpp sees libmodbus

namespace treadmill {

using Registers = std::vector<std::uint16_t>;

class ModbusLink {
  public:
    // An in-process bus, for runs under virtual time (bench/sim_speed): the request PDU for
    // `unit` in, the reply's unit id and PDU out, or nullopt for no reply (a time-out). The
    // frames are checked as over TCP; no socket, no libmodbus context.
    struct PduReply {
        std::uint8_t unit = 0;
        std::vector<std::uint8_t> pdu;
    };
    using PduExchange =
        std::function<std::optional<PduReply>(int unit, std::span<const std::uint8_t> request)>;

    explicit ModbusLink(LinkConfig config);
    ~ModbusLink();
    ModbusLink(const ModbusLink&) = delete;
    ModbusLink& operator=(const ModbusLink&) = delete;

    // Opens (or reopens) the bus: new context, time-outs set, connected. One attempt.
    Result<Done, LinkError> open(TimePoint now);
    void close();
    bool is_open() const { return ctx_ != nullptr || in_process_open_; }
    // From now on every transaction goes to `exchange` instead of the configured transport;
    // open() then only marks the link open.
    void use_in_process(PduExchange exchange);
    // True after an error that broke the connection (reset, device gone): reopen before use.
    bool connection_lost() const { return connection_lost_; }

    // FC03: `count` (1..125) holding registers from `address` of `unit`.
    Result<Registers, LinkError> read_registers(TimePoint now, int unit, std::uint16_t address,
                                                int count);
    // FC06: one register.
    Result<Done, LinkError> write_register(TimePoint now, int unit, std::uint16_t address,
                                           std::uint16_t value);
    // FC16: consecutive registers (1..123) in one transaction.
    Result<Done, LinkError> write_registers(TimePoint now, int unit, std::uint16_t address,
                                            std::span<const std::uint16_t> values);

    const LinkStatistics& statistics() const { return stats_; }
    const LinkConfig& config() const { return config_; }
    // How long the bus stays quiet after a time-out before the next request: RTU t3.5 plus the
    // wire time of the reply that was expected (`reply_bytes`), at most 1 s; TCP none (a late
    // reply carries an old transaction id and is skipped). LinkConfig::late_reply_guard wins.
    Duration late_reply_guard(int reply_bytes) const;

  private:
    template <class Call>
    Result<Done, LinkError> transact(TimePoint now, int unit, int reply_bytes, Call call,
                                     const char* what, std::uint16_t address, int count);
    Result<Done, LinkError> configure_context();
    // Modbus TCP exchange with our own framing (libmodbus 3.1.6 does not check the unit id of a
    // TCP reply): -1 and errno on failure, like libmodbus.
    int tcp_exchange(int unit, const std::vector<std::uint8_t>& request,
                     std::span<std::uint16_t> dest);
    int receive_matching_reply(std::uint16_t transaction, std::uint8_t* reply);
    // The in-process exchange, checked like tcp_exchange: -1 and errno on failure.
    int in_process_exchange(int unit, const std::vector<std::uint8_t>& request,
                            std::span<std::uint16_t> dest);
    // TCP or in-process: the request PDU built by us, the reply checked by us.
    bool own_framing() const { return exchange_ || config_.transport == Transport::tcp; }
    int pdu_exchange(int unit, const std::vector<std::uint8_t>& request,
                     std::span<std::uint16_t> dest) {
        return exchange_ ? in_process_exchange(unit, request, dest)
                         : tcp_exchange(unit, request, dest);
    }
    void prepare_request();
    void quiet_after(const LinkError& error, int reply_bytes);
    LinkError not_open_error() const;

    LinkConfig config_;
    _modbus* ctx_ = nullptr;
    PduExchange exchange_;
    bool in_process_open_ = false;
    bool connection_lost_ = false;
    std::uint16_t next_transaction_ = 1;
    std::optional<TimePoint> quiet_until_;  // wall clock: no request before this
    LinkStatistics stats_;
};

}  // namespace treadmill
