// The normative random generator of fartlek blocks (workout-format.md): SplitMix64 to seed
// xoshiro256**, Lemire's bounded integers and 53-bit uniform doubles. Same seed, same session,
// on any machine.
#pragma once

#include <cstdint>

namespace treadmill::programs {

__extension__ using Uint128 = unsigned __int128;

class SplitMix64 {
  public:
    explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

  private:
    std::uint64_t state_;
};

class Xoshiro256StarStar {
  public:
    // The four state words are four successive SplitMix64 outputs of the seed.
    explicit Xoshiro256StarStar(std::uint64_t seed) {
        SplitMix64 sm(seed);
        for (auto& word : s_) word = sm.next();
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform integer in [0, n) by Lemire's method (n > 0).
    std::uint64_t bounded(std::uint64_t n) {
        Uint128 m = static_cast<Uint128>(next()) * n;
        const std::uint64_t threshold = (0 - n) % n;  // (2^64 - n) mod n
        while (static_cast<std::uint64_t>(m) < threshold) m = static_cast<Uint128>(next()) * n;
        return static_cast<std::uint64_t>(m >> 64);
    }

    // Uniform double in [0, 1): (x >> 11) * 2^-53.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

}  // namespace treadmill::programs
