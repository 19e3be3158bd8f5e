// The seeded `fartlek` built-in replayed from the spec's normative algorithm, written here
// independently of the engine: SplitMix64 → xoshiro256**, Lemire's bounded draws, the draw
// order (extent, speed, incline) and the remainder rule. The engine must give the same session.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "programs/builtin_library.hpp"
#include "programs/program_loader.hpp"

namespace {

using namespace treadmill::programs;
__extension__ typedef unsigned __int128 u128;  // x·n as 128 bits (Lemire)

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

struct Xoshiro {
    std::uint64_t s[4];
    explicit Xoshiro(std::uint64_t seed) {
        for (auto& word : s) word = splitmix64(seed);
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
        const std::uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return result;
    }
    // Lemire: a uniform integer in [0, n).
    std::uint64_t bounded(std::uint64_t n) {
        u128 m = static_cast<u128>(next()) * n;
        const std::uint64_t threshold = (0 - n) % n;
        while (static_cast<std::uint64_t>(m) < threshold) m = static_cast<u128>(next()) * n;
        return static_cast<std::uint64_t>(m >> 64);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

struct Segment {
    bool surge;
    std::int64_t ms;
    double kmh, incline;
};

double kmh_of_pace(int seconds_per_km) {
    return 3600.0 / seconds_per_km;
}

// The 20-minute block of fartlek.yaml, seed 2026.
std::vector<Segment> replay_fartlek() {
    const std::int64_t total = 20 * 60 * 1000, q = 5000;
    Xoshiro rng(2026);
    const auto draw_speed = [&](double lo, double hi) {
        volatile double scaled = rng.uniform() * (hi - lo);  // stored: no fused multiply-add
        return std::round(10 * (lo + scaled)) / 10;
    };
    const auto draw_segment = [&](bool surge) {
        const std::int64_t lo = surge ? 20000 : 45000, hi = surge ? 90000 : 120000;
        Segment s{surge, 0, 0, 1.0};
        s.ms = lo + q * static_cast<std::int64_t>(
                            rng.bounded(static_cast<std::uint64_t>((hi - lo) / q + 1)));
        if (surge) {
            s.kmh = draw_speed(kmh_of_pace(300), kmh_of_pace(270));  // 5k..mile
            volatile double scaled = rng.uniform() * (2.0 - 1.0);    // incline 1%..2%
            s.incline = std::round(2 * (1.0 + scaled)) / 2;
        } else {
            s.kmh = draw_speed(kmh_of_pace(450), kmh_of_pace(375));  // jog..easy
        }
        return s;
    };
    std::vector<Segment> segments;
    std::int64_t elapsed = 0;
    for (bool surge = false;; surge = !surge) {
        Segment s = draw_segment(surge);
        if (elapsed + s.ms < total) {
            segments.push_back(s);
            elapsed += s.ms;
            continue;
        }
        if (!segments.back().surge) {
            segments.back().ms += total - elapsed;
        } else {
            Segment rest{false, total - elapsed, draw_speed(kmh_of_pace(450), kmh_of_pace(375)),
                         1.0};
            segments.push_back(rest);
        }
        return segments;
    }
}

}  // namespace

TEST_CASE("fartlek replay: the PRNG of this test matches the spec's check vectors") {
    std::uint64_t state = 1234567;
    CHECK(splitmix64(state) == 6457827717110365317ull);
    CHECK(splitmix64(state) == 3203168211198807973ull);
    CHECK(splitmix64(state) == 9817491932198370423ull);
    Xoshiro rng(42);
    CHECK(rng.next() == 1546998764402558742ull);
    CHECK(rng.next() == 6990951692964543102ull);
    CHECK(rng.next() == 12544586762248559009ull);
}

TEST_CASE("fartlek replay: the built-in `fartlek` is the session its seed gives") {
    const auto expected = replay_fartlek();
    auto result = load_program(find_builtin("fartlek")->yaml, "fartlek.yaml", "fartlek", {});
    REQUIRE(result.timeline.has_value());
    const auto& steps = result.timeline->steps;
    REQUIRE(steps.size() == expected.size() + 2);  // + warm-up and cool-down
    double block_m = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CAPTURE(i);
        const auto& step = steps[i + 1];
        CHECK(step.step_class == (expected[i].surge ? StepClass::run : StepClass::recover));
        CHECK(step.duration_s == doctest::Approx(static_cast<double>(expected[i].ms) / 1000));
        CHECK(step.speed_kmh == doctest::Approx(expected[i].kmh));
        CHECK(step.incline_pct == doctest::Approx(expected[i].incline));
        block_m += static_cast<double>(expected[i].ms) / 1000 * expected[i].kmh / 3.6;
    }
    const double warm_m = 600 * (8.0 + 9.6) / 2 / 3.6;
    CHECK(result.timeline->total_m == doctest::Approx(2 * warm_m + block_m));
}
