// soak: treadmill-sim and treadmilld as real processes for N minutes; random short programs,
// random faults injected through the simulator's control socket and recovered from; the
// simulator's write record checked against the safety invariants (bench/soak_checker.hpp);
// one row per minute of the daemon's RSS, open fds, API latency and loop statistics.
//   soak [--minutes N] [--seed S] [--transport tcp|rtu]
// Exit status 0 when no invariant was violated, 1 otherwise, 2 on bad usage.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bench/soak_runner.hpp"

namespace {

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr, "soak: %s\nusage: soak [--minutes N] [--seed S] [--transport tcp|rtu]\n",
                 why);
    std::exit(2);
}

treadmill::soak::Options parse(int argc, char** argv) {
    treadmill::soak::Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (i + 1 >= argc) usage("missing value");
        const std::string value = argv[++i];
        if (arg == "--minutes")
            o.minutes = std::atof(value.c_str());
        else if (arg == "--seed")
            o.seed = static_cast<unsigned>(std::strtoul(value.c_str(), nullptr, 10));
        else if (arg == "--transport")
            o.transport = value;
        else
            usage("unknown option");
    }
    if (o.minutes <= 0) usage("--minutes must be above 0");
    if (o.transport != "tcp" && o.transport != "rtu") usage("--transport is tcp or rtu");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    treadmill::soak::SoakRunner soak(parse(argc, argv));
    return soak.run();
}
