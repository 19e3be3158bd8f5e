// bench_programs: how long each built-in program takes to validate, to load (parse, validate,
// resolve and expand into a Timeline) and to render as JSON. Median and p99 over N runs. Every
// program of programs/library/ is measured (the embedded list, so a new one is never missed);
// one that does not load fails the run.
// Usage: bench_programs [--runs N] [--cpu] [--quick]
//   --runs N  runs per measurement (default 500)
//   --cpu     time the thread's CPU time instead of the wall clock (steadier on a busy machine)
//   --quick   50 runs (CI: the table and the RESULT line in well under a second)
// The last line is `RESULT load_p99_us=X`: the worst built-in's load p99.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "programs/builtin_library.hpp"
#include "programs/program_loader.hpp"
#include "programs/timeline_render.hpp"

namespace {

using namespace treadmill::programs;
using Clock = std::chrono::steady_clock;

struct Settings {
    int runs = 500;
    bool cpu_time = false;
};

// Now, in microseconds: the wall clock, or this thread's CPU time.
double now_us(bool cpu_time) {
    if (cpu_time) {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
    }
    return std::chrono::duration<double, std::micro>(Clock::now().time_since_epoch()).count();
}

struct Stats {
    double median_us = 0, p99_us = 0;
};

// Runs `work` `runs` times and returns the median and 99th percentile of its duration.
template <class Work>
Stats measure(const Settings& settings, Work work) {
    std::vector<double> samples;
    samples.reserve(static_cast<std::size_t>(settings.runs));
    for (int i = 0; i < settings.runs; ++i) {
        const double start = now_us(settings.cpu_time);
        work();
        samples.push_back(now_us(settings.cpu_time) - start);
    }
    std::sort(samples.begin(), samples.end());
    const auto at = [&](double q) {
        return samples[std::min(samples.size() - 1,
                                static_cast<std::size_t>(q * static_cast<double>(samples.size())))];
    };
    return {at(0.5), at(0.99)};
}

Settings parse_settings(int argc, char** argv) {
    Settings settings;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--cpu") {
            settings.cpu_time = true;
        } else if (arg == "--quick") {
            settings.runs = 50;
        } else if (arg == "--runs" && i + 1 < argc && std::atoi(argv[i + 1]) > 0) {
            settings.runs = std::atoi(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: bench_programs [--runs N] [--cpu] [--quick]\n");
            std::exit(2);
        }
    }
    return settings;
}

// The options of a display: a machine that meets every built-in's `requires:` (no clamping).
ResolveOptions bench_options() {
    ResolveOptions options;
    options.limits.max_incline_pct = 25;
    options.drawn_seed = 1;
    return options;
}

}  // namespace

int main(int argc, char** argv) {
    const Settings settings = parse_settings(argc, argv);
    const ResolveOptions options = bench_options();
    std::printf(
        "bench_programs: every built-in (%zu), %d runs per measurement, %s in "
        "microseconds\n\n",
        builtin_programs().size(), settings.runs,
        settings.cpu_time ? "thread CPU time" : "wall-clock time");
    std::printf("%-16s %5s %6s | %9s %9s | %9s %9s | %9s %9s\n", "program", "steps", "bytes",
                "valid p50", "valid p99", "load p50", "load p99", "json p50", "json p99");
    int failures = 0;
    double worst_load_p99_us = 0;
    for (const auto& program : builtin_programs()) {
        const std::string file = std::string(program.id) + ".yaml";
        const auto loaded = load_program(program.yaml, file, program.id, options);
        if (!loaded.timeline) {
            std::printf("%-16s does not load\n", std::string(program.id).c_str());
            ++failures;
            continue;
        }
        const Stats validate =
            measure(settings, [&] { validate_program(program.yaml, file, options.limits); });
        const Stats load =
            measure(settings, [&] { load_program(program.yaml, file, program.id, options); });
        const Stats json = measure(settings, [&] { render_json(*loaded.timeline); });
        worst_load_p99_us = std::max(worst_load_p99_us, load.p99_us);
        std::printf("%-16s %5zu %6zu | %9.1f %9.1f | %9.1f %9.1f | %9.1f %9.1f\n",
                    std::string(program.id).c_str(), loaded.timeline->steps.size(),
                    program.yaml.size(), validate.median_us, validate.p99_us, load.median_us,
                    load.p99_us, json.median_us, json.p99_us);
    }
    std::printf("\nRESULT load_p99_us=%.1f\n", worst_load_p99_us);
    return failures == 0 ? 0 : 1;
}
