// RTU and TCP framing: CRC, lengths, resync, garbage never wedges the decoder.
#include <doctest/doctest.h>

#include <random>

#include "sim/framing.hpp"

using namespace treadmill;
using namespace treadmill::sim;
using namespace std::chrono_literals;

namespace {
const Bytes kRead = rtu_encode(1, {0x03, 0x21, 0x03, 0x00, 0x04});
const TimePoint t0{std::chrono::seconds(10)};
}  // namespace

TEST_CASE("CRC16 of a known frame") {
    // 01 03 00 00 00 0A → CRC C5 CD (low byte first on the wire).
    const Bytes frame = rtu_encode(1, {0x03, 0x00, 0x00, 0x00, 0x0A});
    CHECK(frame[6] == 0xC5);
    CHECK(frame[7] == 0xCD);
}

TEST_CASE("RTU decoder: whole, split, FC06, FC16, unknown function") {
    RtuDecoder d(2ms);
    auto frames = d.feed(t0, kRead);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].unit == 1);
    CHECK(frames[0].pdu == Pdu{0x03, 0x21, 0x03, 0x00, 0x04});

    CHECK(d.feed(t0 + 10ms, std::span(kRead).first(3)).empty());
    CHECK(d.feed(t0 + 11ms, std::span(kRead).subspan(3)).size() == 1);

    const Bytes fc16 = rtu_encode(2, {0x10, 0x00, 0x00, 0x00, 0x02, 0x04, 0, 2, 0, 50});
    CHECK(d.feed(t0 + 20ms, fc16).size() == 1);
    const Bytes fc43 = rtu_encode(1, {0x2B, 0x0E, 0x01, 0x00});
    auto unknown = d.feed(t0 + 30ms, fc43);
    REQUIRE(unknown.size() == 1);
    CHECK(unknown[0].pdu[0] == 0x2B);
}

TEST_CASE("RTU decoder: bad CRC is dropped, garbage before a frame is skipped") {
    RtuDecoder d(2ms);
    Bytes bad = kRead;
    bad.back() ^= 0xFF;
    CHECK(d.feed(t0, bad).empty());
    Bytes noisy{0x55, 0x03, 0xFF};
    noisy.insert(noisy.end(), kRead.begin(), kRead.end());
    auto frames = d.feed(t0 + 10ms, noisy);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].pdu[1] == 0x21);
}

TEST_CASE("RTU decoder: silence of t3.5 discards a truncated frame") {
    RtuDecoder d(2ms);
    CHECK(d.feed(t0, std::span(kRead).first(5)).empty());
    auto frames = d.feed(t0 + 5ms, kRead);
    CHECK(frames.size() == 1);
    CHECK(d.buffered() == 0);
}

TEST_CASE("RTU decoder: random bytes never crash it, and a request after silence decodes") {
    RtuDecoder d(2ms);
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> byte(0, 255);
    TimePoint t = t0;
    for (int round = 0; round < 2000; ++round) {
        Bytes junk(static_cast<std::size_t>(byte(rng)));
        for (auto& b : junk) b = static_cast<std::uint8_t>(byte(rng));
        d.feed(t, junk);
        t += 1ms;
        CHECK(d.buffered() <= RtuDecoder::kMaxFrame);
    }
    auto frames = d.feed(t + 10ms, kRead);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].pdu[1] == 0x21);
}

TEST_CASE("TCP decoder: requests, split reads, broken header") {
    TcpDecoder d;
    const Bytes req{0x00, 0x07, 0x00, 0x00, 0x00, 0x06, 0x02, 0x03, 0x01, 0x00, 0x00, 0x08};
    auto frames = d.feed(std::span(req).first(4));
    REQUIRE(frames);
    CHECK(frames->empty());
    frames = d.feed(std::span(req).subspan(4));
    REQUIRE(frames);
    REQUIRE(frames->size() == 1);
    CHECK((*frames)[0].transaction == 7);
    CHECK((*frames)[0].unit == 2);
    CHECK(tcp_encode(7, 2, {0x83, 0x02}) == Bytes{0, 7, 0, 0, 0, 3, 2, 0x83, 0x02});

    TcpDecoder broken;
    CHECK_FALSE(broken.feed(Bytes{0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x01, 0x02}));
}
