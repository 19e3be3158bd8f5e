// bench_history: what recording costs the control loop. Feeds the daemon's recorder a status
// every 10 ms (the workout clock advancing 1 s per cycle, as at --time-scale 10, so every cycle
// queues a sample) while the real writer thread commits each one to a SQLite file with
// synchronous=FULL; times the loop thread's share (observe + push) per cycle. Usage:
// bench_history [CYCLES] [DIR] (defaults 1000, $TMPDIR).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "controller/daemon/history_recorder.hpp"
#include "history/history_writer.hpp"

using namespace treadmill;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    const int cycles = argc > 1 ? std::atoi(argv[1]) : 1000;
    const char* tmp = std::getenv("TMPDIR");
    const std::string dir = argc > 2 ? argv[2] : std::string(tmp ? tmp : "/tmp");
    const std::string path = dir + "/bench_history.db";
    for (const char* s : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + s);
    auto opened = history::HistoryStore::open(path);
    if (!opened) {
        std::fprintf(stderr, "bench_history: %s\n", opened.error().c_str());
        return 1;
    }
    history::HistoryWriter writer(std::move(opened->store), 600, [](std::string line) {
        std::fprintf(stderr, "%s\n", line.c_str());
    });
    daemon::HistoryRecorder recorder([&](history::Record r) { writer.push(std::move(r)); }, 10.0,
                                     "bench");
    controller::Status status;
    status.program = controller::ProgramStatus{"bench", "bench", {}, {}};
    std::vector<double> us;
    auto next = Clock::now();
    for (int i = 0; i <= cycles; ++i) {
        status.state = i < cycles ? controller::State::running : controller::State::idle;
        status.elapsed_s = i;
        status.distance_m = i * 3.0;
        status.speed.actual_kmh = 10.8;
        status.step = controller::StepStatus{
            static_cast<std::size_t>(i / 120), 100, "run", "", std::nullopt, std::nullopt, 0, 0};
        const auto t0 = Clock::now();
        recorder.observe(status, {1'800'000'000'000 + i * 1000, 0}, std::nullopt);
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        next += std::chrono::milliseconds(10);
        std::this_thread::sleep_until(next);
    }
    writer.flush();
    const auto s = writer.status();
    std::sort(us.begin(), us.end());
    const auto at = [&](double q) {
        return us[static_cast<std::size_t>(q * static_cast<double>(us.size() - 1))];
    };
    std::printf(
        "bench_history: %d cycles, loop-thread share per cycle: median %.1f us, p99 %.1f "
        "us, max %.1f us; written %llu, merged %llu, write errors %llu\n",
        cycles, at(0.5), at(0.99), us.back(), static_cast<unsigned long long>(s.written),
        static_cast<unsigned long long>(s.samples_merged),
        static_cast<unsigned long long>(s.write_errors));
    return 0;
}
