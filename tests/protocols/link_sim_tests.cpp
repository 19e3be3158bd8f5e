// ModbusLink against the simulator: error kinds, late replies, garbage, statistics.
#include <doctest/doctest.h>

#include <thread>

#include "protocols/bus_timing.hpp"
#include "protocols/modbus_link.hpp"
#include "protocols/register_map.hpp"
#include "tests/protocols/sim_bench.hpp"

using namespace treadmill;
using namespace treadmill::testing;
using Kind = LinkError::Kind;
using nlohmann::json;
namespace m = treadmill::regmap::motor;

namespace {

// An open link to the bench's simulator.
std::unique_ptr<ModbusLink> open_link(SimBench& bench) {
    auto link = std::make_unique<ModbusLink>(bench.link());
    auto opened = link->open(now());
    REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error().message));
    return link;
}

// Reads Pr.01-00 (6000 at power-on) and expects success.
void expect_good_read(ModbusLink& link) {
    auto r = link.read_registers(now(), 1, m::kMaxFrequency, 1);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK((*r)[0] == m::kDefaultMaxFrequency);
}

// The control period: after a time-out the control cycle sends nothing more on that bus until
// its next period (rule S2), so a reply later than the late-reply guard arrives before then.
constexpr auto kPeriod = std::chrono::milliseconds(100);

// Reads once, expects a failure of `kind`, then a good read (after a time-out, in the next
// period, as the control cycle does).
LinkError expect_failure_then_recovery(ModbusLink& link, Kind kind) {
    const auto sent = now();
    auto r = link.read_registers(now(), 1, m::kTelemetryStart, m::kTelemetryCount);
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.error().kind == kind, r.error().message);
    if (r.error().kind == Kind::timeout) std::this_thread::sleep_until(sent + kPeriod);
    expect_good_read(link);
    return r.error();
}

// A late reply to a read of Pr.01-00 must not become the answer of the next cycle's read of
// Pr.01-12 (same shape, different value): it is flushed before that request goes out.
void check_late_reply_is_not_taken(SimBench& bench, ModbusLink& link) {
    bench.control({{"cmd", "delay"}, {"unit", 1}, {"ms", 80}, {"count", 1}});
    const auto sent = now();
    auto late = link.read_registers(now(), 1, m::kMaxFrequency, 1);
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().kind == Kind::timeout);
    std::this_thread::sleep_until(sent + kPeriod);
    auto next = link.read_registers(now(), 1, m::kAccelTime, 1);
    REQUIRE_MESSAGE(next.ok(), (next.ok() ? "" : next.error().message));
    CHECK((*next)[0] == m::kDefaultAccelTime);
    CHECK(link.statistics().flushed_bytes >= 1);
    // And the bus is in step afterwards.
    for (int i = 0; i < 3; ++i) expect_good_read(link);
}

}  // namespace

TEST_CASE("TCP: reads, writes and statistics of good transactions") {
    SimBench bench(Transport::tcp);
    auto link = open_link(bench);
    const TimePoint t = now();
    auto block = link->read_registers(t, 1, m::kTelemetryStart, m::kTelemetryCount);
    REQUIRE(block.ok());
    CHECK(block->size() == 7);
    const std::array<std::uint16_t, 2> stop{m::kCommandStop, 0};
    CHECK(link->write_registers(now(), 1, m::kCommand, stop).ok());
    CHECK(link->write_register(now(), 1, m::kAccelTime, 150).ok());
    auto accel = link->read_registers(now(), 1, m::kAccelTime, 1);
    REQUIRE(accel.ok());
    CHECK((*accel)[0] == 150);
    const auto& s = link->statistics();
    CHECK(s.transactions == 4);
    CHECK(s.good == 4);
    CHECK(s.failures == 0);
    CHECK(s.latency_min > Duration::zero());
    CHECK(s.latency_max >= s.latency_min);
    CHECK(s.latency_mean() <= s.latency_max);
    REQUIRE(s.last_good.has_value());
    CHECK(*s.last_good >= t);
}

TEST_CASE("TCP: exceptions are classified with their code") {
    SimBench bench(Transport::tcp);
    auto link = open_link(bench);
    SUBCASE("an unlisted address is 02") {
        auto r = link->read_registers(now(), 1, 0x2107, 1);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == Kind::exception);
        CHECK(r.error().exception_code == 2);
    }
    SUBCASE("a read-only register is 02, a value above Pr.01-00 is 03") {
        auto ro = link->write_register(now(), 1, m::kStatus, 0);
        REQUIRE_FALSE(ro.ok());
        CHECK(ro.error().exception_code == 2);
        auto high = link->write_register(now(), 1, m::kFrequencyCommand, 60001);
        REQUIRE_FALSE(high.ok());
        CHECK(high.error().exception_code == 3);
    }
    SUBCASE("an injected busy exception (06), then a good transaction") {
        bench.control({{"cmd", "exception"}, {"unit", 1}, {"code", 6}, {"count", 1}});
        auto e = expect_failure_then_recovery(*link, Kind::exception);
        CHECK(e.exception_code == 6);
        CHECK(link->statistics().exceptions_by_code[6] == 1);
    }
}

// Codes 12 and up are no Modbus exception libmodbus knows: on RTU it reports EMBBADEXC (a bad
// reply); our TCP framing must do the same, not let MODBUS_ENOBASE + 0x11 read as EMBBADSLAVE.
void check_unknown_exception_code(SimBench& bench, ModbusLink& link) {
    for (int code : {0x11, 0x0C, 0xFF}) {
        CAPTURE(code);
        bench.control({{"cmd", "exception"}, {"unit", 1}, {"code", code}, {"count", 1}});
        const auto e = expect_failure_then_recovery(link, Kind::bad_reply);
        CHECK(e.message.find("exception") != std::string::npos);
    }
    CHECK(link.statistics().failures_of(Kind::wrong_unit) == 0);
    CHECK(link.statistics().failures_of(Kind::exception) == 0);
    CHECK(link.statistics().failures_of(Kind::bad_reply) == 3);
}

TEST_CASE("TCP: an unknown exception code (0x11) is a bad reply, not a wrong unit") {
    SimBench bench(Transport::tcp);
    auto link = open_link(bench);
    check_unknown_exception_code(bench, *link);
}

TEST_CASE("RTU: an unknown exception code (0x11) is a bad reply, as on TCP") {
    SimBench bench(Transport::rtu);
    auto link = open_link(bench);
    check_unknown_exception_code(bench, *link);
}

TEST_CASE("TCP: a dropped reply is a time-out within the response time-out") {
    SimBench bench(Transport::tcp);
    auto link = open_link(bench);
    bench.control({{"cmd", "drop"}, {"unit", 1}, {"count", 1}});
    const auto t0 = now();
    auto r = link->read_registers(now(), 1, m::kTelemetryStart, m::kTelemetryCount);
    const auto took = now() - t0;
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == Kind::timeout);
    CHECK(took >= std::chrono::milliseconds(45));
    CHECK(took < std::chrono::milliseconds(250));
    expect_good_read(*link);
    CHECK(link->statistics().failures_of(Kind::timeout) == 1);
    CHECK(link->statistics().consecutive_failures == 0);
}

TEST_CASE("TCP: a late reply is not taken as the answer to the next cycle's request") {
    SimBench bench(Transport::tcp);
    auto link = open_link(bench);
    check_late_reply_is_not_taken(bench, *link);
}

TEST_CASE("TCP: a reply later than the next cycle's request is skipped by its transaction id") {
    SimBench bench(Transport::tcp);
    auto link = open_link(bench);
    // Time-out at 50 ms, the next cycle's request at 100 ms, its reply queues behind the late
    // one (sent at 120 ms): the late one is recognised and skipped.
    bench.control({{"cmd", "delay"}, {"unit", 1}, {"ms", 120}, {"count", 1}});
    const auto sent = now();
    auto late = link->read_registers(now(), 1, m::kMaxFrequency, 1);
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().kind == Kind::timeout);
    std::this_thread::sleep_until(sent + kPeriod);
    auto next = link->read_registers(now(), 1, m::kAccelTime, 1);
    REQUIRE_MESSAGE(next.ok(), (next.ok() ? "" : next.error().message));
    CHECK((*next)[0] == m::kDefaultAccelTime);
    CHECK(link->statistics().stale_replies == 1);
    expect_good_read(*link);
}

TEST_CASE("TCP: a reply from the wrong unit is not taken as good") {
    SimBench bench(Transport::tcp);
    auto link = open_link(bench);
    bench.control({{"cmd", "wrong_unit"}, {"count", 1}});
    auto r = link->read_registers(now(), 1, m::kTelemetryStart, m::kTelemetryCount);
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.error().kind == Kind::wrong_unit, r.error().message);
    expect_good_read(*link);
}

TEST_CASE("TCP: the server going away is an I/O error that asks for a reopen") {
    SimBench bench(Transport::tcp);
    auto link = open_link(bench);
    expect_good_read(*link);
    bench.stop();
    auto r = link->read_registers(now(), 1, m::kMaxFrequency, 1);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == Kind::io);
    CHECK(link->connection_lost());
    auto again = link->read_registers(now(), 1, m::kMaxFrequency, 1);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().kind == Kind::io);
    CHECK_FALSE(link->open(now()).ok());  // nobody listens any more: one attempt, an error
}

TEST_CASE("RTU: good transactions take the emulated wire time") {
    SimBench bench(Transport::rtu);
    auto link = open_link(bench);
    for (int i = 0; i < 5; ++i) {
        auto r = link->read_registers(now(), 1, m::kTelemetryStart, m::kTelemetryCount);
        REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    }
    // 27 characters at 0.573 ms + t3.5: about 17.5 ms, more with the pty's latency.
    CHECK(link->statistics().latency_min >= std::chrono::milliseconds(15));
    CHECK(link->statistics().latency_max < std::chrono::milliseconds(50));
}

TEST_CASE("RTU: CRC errors, wrong unit, time-outs, truncation, then the next transaction") {
    SimBench bench(Transport::rtu);
    auto link = open_link(bench);
    expect_good_read(*link);
    SUBCASE("corrupt CRC") {
        bench.control({{"cmd", "corrupt_crc"}, {"unit", 1}, {"count", 1}});
        expect_failure_then_recovery(*link, Kind::crc);
        CHECK(link->statistics().failures_of(Kind::crc) == 1);
    }
    SUBCASE("wrong unit") {
        bench.control({{"cmd", "wrong_unit"}, {"count", 1}});
        expect_failure_then_recovery(*link, Kind::wrong_unit);
        CHECK(link->statistics().failures_of(Kind::wrong_unit) == 1);
    }
    SUBCASE("dropped reply") {
        bench.control({{"cmd", "drop"}, {"unit", 1}, {"count", 1}});
        expect_failure_then_recovery(*link, Kind::timeout);
    }
    SUBCASE("truncated reply") {
        bench.control({{"cmd", "truncate"}, {"unit", 1}, {"bytes", 4}, {"count", 1}});
        expect_failure_then_recovery(*link, Kind::timeout);
    }
    SUBCASE("a gap inside the reply longer than the time-out") {
        bench.control({{"cmd", "gap"}, {"unit", 1}, {"ms", 60}, {"count", 1}});
        expect_failure_then_recovery(*link, Kind::timeout);
    }
    SUBCASE("exception") {
        bench.control({{"cmd", "exception"}, {"unit", 1}, {"code", 4}, {"count", 1}});
        const auto e = expect_failure_then_recovery(*link, Kind::exception);
        CHECK(e.exception_code == 4);
    }
    CHECK(link->statistics().failures == 1);
    CHECK(link->statistics().consecutive_failures == 0);
}

TEST_CASE("RTU: trailing garbage is flushed, the next transaction succeeds") {
    SimBench bench(Transport::rtu);
    auto link = open_link(bench);
    bench.control({{"cmd", "garbage"}, {"bytes", 12}});
    expect_good_read(*link);  // the reply itself is good; 12 bytes follow it
    expect_good_read(*link);
    expect_good_read(*link);
    CHECK(link->statistics().failures == 0);
    CHECK(link->statistics().flushed_bytes >= 1);
}

TEST_CASE("RTU: a late reply is not taken as the answer to the next cycle's request") {
    SimBench bench(Transport::rtu);
    auto link = open_link(bench);
    check_late_reply_is_not_taken(bench, *link);
}

TEST_CASE("RTU: right after a time-out a request waits t3.5 + the expected reply, no longer") {
    SimBench bench(Transport::rtu);
    auto link = open_link(bench);
    bench.control({{"cmd", "drop"}, {"unit", 1}, {"count", 1}});
    auto lost = link->read_registers(now(), 1, m::kTelemetryStart, m::kTelemetryCount);
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.error().kind == Kind::timeout);
    expect_good_read(*link);  // the best-effort STOP of a trip goes out like this
    const auto& s = link->statistics();
    CHECK(s.quiet_waits <= 1);  // none if this thread was held up longer than the guard
    CHECK(s.quiet_wait_total <= link->late_reply_guard(bus::read_reply_bytes(m::kTelemetryCount)));
}

TEST_CASE("RTU: statistics count every kind") {
    SimBench bench(Transport::rtu);
    auto link = open_link(bench);
    bench.control({{"cmd", "corrupt_crc"}, {"unit", 1}, {"count", 1}});
    (void)link->read_registers(now(), 1, m::kMaxFrequency, 1);
    bench.control({{"cmd", "drop"}, {"unit", 1}, {"count", 1}});
    (void)link->read_registers(now(), 1, m::kMaxFrequency, 1);
    bench.control({{"cmd", "exception"}, {"unit", 1}, {"code", 6}, {"count", 1}});
    (void)link->read_registers(now(), 1, m::kMaxFrequency, 1);
    const auto& s = link->statistics();
    CHECK(s.transactions == 3);
    CHECK(s.failures == 3);
    CHECK(s.consecutive_failures == 3);
    CHECK(s.failures_of(Kind::crc) == 1);
    CHECK(s.failures_of(Kind::timeout) == 1);
    CHECK(s.failures_of(Kind::exception) == 1);
    CHECK_FALSE(s.last_good.has_value());
    expect_good_read(*link);
    CHECK(link->statistics().consecutive_failures == 0);
    CHECK(link->statistics().last_good.has_value());
}
