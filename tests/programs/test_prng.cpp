// The normative PRNG: check vectors from workout-format.md, bounded() and uniform().
#include <doctest/doctest.h>

#include "programs/prng.hpp"

using namespace treadmill::programs;

TEST_CASE("prng: SplitMix64 check vector") {
    SplitMix64 sm(1234567);
    CHECK(sm.next() == 6457827717110365317ULL);
    CHECK(sm.next() == 3203168211198807973ULL);
    CHECK(sm.next() == 9817491932198370423ULL);
}

TEST_CASE("prng: xoshiro256** seeded from SplitMix64(42)") {
    Xoshiro256StarStar x(42);
    CHECK(x.next() == 1546998764402558742ULL);
    CHECK(x.next() == 6990951692964543102ULL);
    CHECK(x.next() == 12544586762248559009ULL);
}

TEST_CASE("prng: bounded and uniform") {
    Xoshiro256StarStar a(7), b(7);
    for (int i = 0; i < 1000; ++i) {
        const auto v = a.bounded(17);
        CHECK(v < 17);
        // Lemire: the result is the high word of x*n when no redraw happens.
        const auto x = b.next();
        const auto m = static_cast<Uint128>(x) * 17;
        if (static_cast<std::uint64_t>(m) >= (0 - std::uint64_t{17}) % 17)
            CHECK(v == static_cast<std::uint64_t>(m >> 64));
        else
            b.next();  // a redraw happened in `a` too (rare)
    }
    CHECK(a.bounded(1) == 0);
    Xoshiro256StarStar u(42);
    const double first = u.uniform();
    CHECK(first == static_cast<double>(1546998764402558742ULL >> 11) * 0x1.0p-53);
    for (int i = 0; i < 1000; ++i) {
        const double v = u.uniform();
        CHECK(v >= 0.0);
        CHECK(v < 1.0);
    }
}
