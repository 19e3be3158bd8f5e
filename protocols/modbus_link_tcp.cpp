// ModbusLink's Modbus TCP exchange (and the in-process one, checked the same way): our MBAP framing
// on send, libmodbus's receive, our checks (transaction id, protocol id, unit id, function, length,
// echo). A reply with an earlier transaction id (a late reply) is skipped within the same response
// time-out.
#include <modbus/modbus.h>
#include <sys/socket.h>

#include <cerrno>

#include "protocols/modbus_link.hpp"
#include "protocols/modbus_pdu.hpp"

namespace treadmill {

namespace {

constexpr std::size_t kMbapBytes = 7;
constexpr int kMaxStaleReplies = 8;

std::uint16_t get16(const std::uint8_t* b) {
    return static_cast<std::uint16_t>((b[0] << 8) | b[1]);
}

// Sends all of `frame`; -1 and errno on failure.
int send_all(int fd, const std::vector<std::uint8_t>& frame) {
    std::size_t sent = 0;
    while (sent < frame.size()) {
        const auto n = ::send(fd, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        sent += static_cast<std::size_t>(n);
    }
    return 0;
}

void set_timeout(modbus_t* ctx, Duration d) {
    const auto us =
        std::max<long long>(std::chrono::duration_cast<std::chrono::microseconds>(d).count(), 1000);
    modbus_set_response_timeout(ctx, static_cast<std::uint32_t>(us / 1'000'000),
                                static_cast<std::uint32_t>(us % 1'000'000));
}

}  // namespace

// Receives replies until one carries `transaction`, all within one response time-out.
int ModbusLink::receive_matching_reply(std::uint16_t transaction, std::uint8_t* reply) {
    const auto deadline = SteadyClock::now() + config_.response_timeout;
    int rc = -1;
    for (int stale = 0; stale <= kMaxStaleReplies; ++stale) {
        rc = modbus_receive_confirmation(ctx_, reply);
        if (rc == -1 || (rc >= 2 && get16(reply) == transaction)) break;
        ++stats_.stale_replies;
        const auto remaining = deadline - SteadyClock::now();
        if (remaining <= Duration::zero()) {
            errno = ETIMEDOUT;
            rc = -1;
            break;
        }
        set_timeout(ctx_, remaining);
    }
    const int saved = errno;
    set_timeout(ctx_, config_.response_timeout);
    errno = saved;
    return rc;
}

int ModbusLink::tcp_exchange(int unit, const std::vector<std::uint8_t>& request,
                             std::span<std::uint16_t> dest) {
    const std::uint16_t transaction = next_transaction_++;
    const auto u = static_cast<std::uint8_t>(unit);
    if (send_all(modbus_get_socket(ctx_), pdu::tcp_frame(transaction, u, request)) != 0) {
        return -1;
    }
    std::uint8_t reply[MODBUS_TCP_MAX_ADU_LENGTH];
    const int n = receive_matching_reply(transaction, reply);
    if (n == -1) return -1;
    int error = 0;
    if (n <= static_cast<int>(kMbapBytes) || get16(reply) != transaction || get16(reply + 2) != 0) {
        error = EMBBADDATA;
    } else if (reply[6] != u) {
        error = EMBBADSLAVE;
    } else {
        const std::span<const std::uint8_t> body(reply + kMbapBytes,
                                                 static_cast<std::size_t>(n) - kMbapBytes);
        error = pdu::check_reply(request, body);
        if (error == 0 && !dest.empty()) pdu::copy_registers(body, dest);
    }
    if (error == 0) return 0;
    errno = error;
    return -1;
}

int ModbusLink::in_process_exchange(int unit, const std::vector<std::uint8_t>& request,
                                    std::span<std::uint16_t> dest) {
    const auto reply = exchange_(unit, request);
    int error = 0;
    if (!reply) {
        error = ETIMEDOUT;
    } else if (reply->unit != static_cast<std::uint8_t>(unit)) {
        error = EMBBADSLAVE;
    } else {
        error = pdu::check_reply(request, reply->pdu);
        if (error == 0 && !dest.empty()) pdu::copy_registers(reply->pdu, dest);
    }
    if (error == 0) return 0;
    errno = error;
    return -1;
}

}  // namespace treadmill
