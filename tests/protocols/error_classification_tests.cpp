// errno of libmodbus -> LinkError kinds; link statistics bookkeeping.
#include <doctest/doctest.h>

#include <cerrno>

#include "protocols/error_classification.hpp"
#include "protocols/link_statistics.hpp"

using namespace treadmill;
using Kind = LinkError::Kind;

namespace {
// libmodbus 3.1.6's errno values (modbus.h), spelled out so the tests do not include libmodbus.
constexpr int kEnobase = 112345678;
constexpr int kEmbxilfun = kEnobase + 1;
constexpr int kEmbxsbusy = kEnobase + 6;
constexpr int kEmbxgtar = kEnobase + 11;
constexpr int kEmbbadcrc = kEmbxgtar + 1;
constexpr int kEmbbaddata = kEmbxgtar + 2;
constexpr int kEmbbadexc = kEmbxgtar + 3;
constexpr int kEmbmdata = kEmbxgtar + 5;
constexpr int kEmbbadslave = kEmbxgtar + 6;
}  // namespace

TEST_CASE("time-out, CRC, wrong unit") {
    CHECK(classify_modbus_errno(ETIMEDOUT).kind == Kind::timeout);
    CHECK(classify_modbus_errno(kEmbbadcrc).kind == Kind::crc);
    CHECK(classify_modbus_errno(kEmbbadslave).kind == Kind::wrong_unit);
}

TEST_CASE("exceptions carry their code") {
    for (int code = 1; code <= 11; ++code) {
        const auto e = classify_modbus_errno(kEnobase + code);
        CHECK(e.kind == Kind::exception);
        CHECK(e.exception_code == code);
    }
    CHECK(classify_modbus_errno(kEmbxilfun).exception_code == 1);
    CHECK(classify_modbus_errno(kEmbxsbusy).exception_code == 6);
}

TEST_CASE("bad replies") {
    CHECK(classify_modbus_errno(kEmbbaddata).kind == Kind::bad_reply);
    CHECK(classify_modbus_errno(kEmbmdata).kind == Kind::bad_reply);
    CHECK(classify_modbus_errno(kEmbbadexc).kind == Kind::bad_reply);
}

TEST_CASE("I/O errors, and which of them lose the connection") {
    for (int e : {EIO, ENODEV, ECONNRESET, ECONNREFUSED, EPIPE, EBADF, EINVAL}) {
        CHECK(classify_modbus_errno(e).kind == Kind::io);
    }
    CHECK(is_connection_lost(ECONNRESET));
    CHECK(is_connection_lost(EIO));
    CHECK(is_connection_lost(ENODEV));
    CHECK_FALSE(is_connection_lost(ETIMEDOUT));
    CHECK_FALSE(is_connection_lost(kEmbbadcrc));
}

TEST_CASE("messages carry the context and libmodbus's text") {
    const auto e = classify_modbus_errno(ETIMEDOUT, "unit 1 read 0x2100+7");
    CHECK(e.message.find("unit 1 read 0x2100+7") == 0);
    CHECK(e.message.size() > std::string("unit 1 read 0x2100+7: ").size());
    CHECK(to_string(e.kind) == "timeout");
}

TEST_CASE("statistics: counts, latency, consecutive failures, last good") {
    LinkStatistics s;
    const TimePoint t0{};
    s.record_good(t0, std::chrono::milliseconds(10));
    s.record_good(t0 + std::chrono::seconds(1), std::chrono::milliseconds(30));
    s.record_failure(classify_modbus_errno(ETIMEDOUT));
    s.record_failure(classify_modbus_errno(kEnobase + 2));
    CHECK(s.transactions == 4);
    CHECK(s.good == 2);
    CHECK(s.failures == 2);
    CHECK(s.consecutive_failures == 2);
    CHECK(s.failures_of(Kind::timeout) == 1);
    CHECK(s.failures_of(Kind::exception) == 1);
    CHECK(s.exceptions_by_code[2] == 1);
    CHECK(s.latency_min == std::chrono::milliseconds(10));
    CHECK(s.latency_max == std::chrono::milliseconds(30));
    CHECK(s.latency_last == std::chrono::milliseconds(30));
    CHECK(s.latency_mean() == std::chrono::milliseconds(20));
    REQUIRE(s.last_good.has_value());
    CHECK(*s.last_good == t0 + std::chrono::seconds(1));
    REQUIRE(s.last_error.has_value());
    CHECK(s.last_error->exception_code == 2);
    s.record_good(t0, std::chrono::milliseconds(5));
    CHECK(s.consecutive_failures == 0);
}
