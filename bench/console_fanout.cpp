// console_fanout: what relaying the watch stream to many pages costs. A real treadmilld on its
// embedded simulator and a real treadmill-console in front of it (the console tests' rig); 50
// WebSocket pages, each paired through the daemon's pair_issue/pair_redeem, read the relayed
// status stream. Measured over a window without pages (the reference) and one with them, in
// the same run: the console's CPU share and RSS, the status messages delivered per second, and
// the daemon's control loop (late cycles per 1000, start-delay p99 from status.loop.late_hist).
// Usage: console_fanout [--quick] [--seconds N]   (N per window, default 30; --quick: 3)
// Last line: RESULT console_cpu_pct=X console_rss_kb=Y msgs_per_s=Z late_per_1000_with=W
//            late_per_1000_without=V
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"
#include "bench/daemon_probe.hpp"
#include "tests/console/console_rig.hpp"

namespace {

using namespace treadmill;
using namespace treadmill::console_test;

constexpr int kPages = 50;

// `tokens.size()` pages upgraded to WebSockets, read by one thread (async reads on one
// io_context) until destroyed; counts the status messages delivered.
class Pages {
  public:
    Pages(std::uint16_t port, const std::string& host, const std::string& origin,
          const std::vector<std::string>& tokens) {
        for (const auto& token : tokens) {
            auto ws = std::make_unique<websocket::stream<tcp::socket>>(io_);
            beast::error_code ec;
            beast::get_lowest_layer(*ws).connect({asio::ip::make_address("127.0.0.1"), port}, ec);
            if (ec) continue;
            ws->set_option(websocket::stream_base::decorator([=](websocket::request_type& req) {
                req.set(http::field::origin, origin);
                req.set(http::field::cookie, "treadmill_token=" + token);
            }));
            ws->handshake(host, "/ws", ec);
            if (ec) continue;
            pages_.push_back(std::make_unique<Page>(std::move(ws)));
        }
        for (auto& page : pages_) read(*page);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~Pages() {
        io_.stop();
        thread_.join();
    }
    Pages(const Pages&) = delete;
    Pages& operator=(const Pages&) = delete;

    int upgraded() const { return static_cast<int>(pages_.size()); }
    int open() const { return upgraded() - closed_; }
    long status_messages() const { return status_; }

  private:
    struct Page {
        explicit Page(std::unique_ptr<websocket::stream<tcp::socket>> s) : ws(std::move(s)) {}
        std::unique_ptr<websocket::stream<tcp::socket>> ws;
        beast::flat_buffer buffer;
    };

    void read(Page& page) {
        page.ws->async_read(page.buffer, [this, &page](beast::error_code ec, std::size_t) {
            if (ec) {
                ++closed_;
                return;
            }
            const auto text = beast::buffers_to_string(page.buffer.data());
            page.buffer.consume(page.buffer.size());
            if (text.find("\"t\":\"status\"") != std::string::npos) ++status_;
            read(page);
        });
    }

    asio::io_context io_;
    std::vector<std::unique_ptr<Page>> pages_;
    std::atomic<int> closed_{0};
    std::atomic<long> status_{0};
    std::thread thread_;
};

struct Window {
    double console_cpu_pct = 0, daemon_cpu_pct = 0;
    long console_rss_kb = 0;
    std::uint64_t cycles = 0, late = 0;
    bench::Jitter jitter;
    long messages = 0;
    double seconds = 0;
    bool ok = false;
};

// The daemon's cycles, late cycles and start-delay histogram now.
struct LoopReading {
    std::uint64_t cycles = 0, late = 0;
    double max_late_ms = 0;
    LatencyHistogram hist{};
    bool ok = false;
};

LoopReading read_loop(ConsoleRig& rig) {
    LoopReading r;
    const json status = rig.status();
    const auto h = bench::loop_histogram(status);
    if (!h) return r;
    r.hist = *h;
    r.cycles = status["loop"].value("cycles", std::uint64_t{0});
    r.late = status["loop"].value("late", std::uint64_t{0});
    r.max_late_ms = status["loop"].value("max_late_ms", 0.0);
    r.ok = true;
    return r;
}

// One window of `length` with `pages` (null: none) reading.
Window measure(ConsoleRig& rig, std::chrono::duration<double> length, const Pages* pages) {
    Window w;
    const LoopReading before = read_loop(rig);
    const double console_cpu = bench::cpu_seconds(rig.console_pid());
    const double daemon_cpu = bench::cpu_seconds(rig.daemon_pid());
    const long messages = pages ? pages->status_messages() : 0;
    const bench::Stopwatch watch;
    std::this_thread::sleep_for(length);
    w.seconds = watch.seconds();
    const LoopReading after = read_loop(rig);
    w.console_cpu_pct = (bench::cpu_seconds(rig.console_pid()) - console_cpu) / w.seconds * 100;
    w.daemon_cpu_pct = (bench::cpu_seconds(rig.daemon_pid()) - daemon_cpu) / w.seconds * 100;
    w.console_rss_kb = bench::rss_kb(rig.console_pid());
    w.messages = pages ? pages->status_messages() - messages : 0;
    if (!before.ok || !after.ok) return w;
    w.cycles = after.cycles - before.cycles;
    w.late = after.late - before.late;
    w.jitter = bench::jitter_of(bench::histogram_diff(after.hist, before.hist), after.max_late_ms);
    w.ok = w.cycles > 0;
    return w;
}

double per_1000(std::uint64_t late, std::uint64_t cycles) {
    return cycles == 0 ? 0.0 : 1000.0 * static_cast<double>(late) / static_cast<double>(cycles);
}

void print_row(const char* pages, const Window& w) {
    std::printf("%-9s %7.1f %9ld %9.1f %9.1f %7llu %6llu %9.1f %8.2f %8.2f\n", pages,
                w.console_cpu_pct, w.console_rss_kb, static_cast<double>(w.messages) / w.seconds,
                w.daemon_cpu_pct, static_cast<unsigned long long>(w.cycles),
                static_cast<unsigned long long>(w.late), per_1000(w.late, w.cycles),
                w.jitter.p99_ms, w.jitter.max_ms);
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each row as it is measured, also into a file
    double seconds = 30;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--quick") {
            seconds = 3;
        } else if (arg == "--seconds" && i + 1 < argc && std::atof(argv[i + 1]) > 0) {
            seconds = std::atof(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: console_fanout [--quick] [--seconds N]\n");
            return 2;
        }
    }
    ConsoleRig rig("max_clients: 64\n");
    if (!rig.ready()) {
        std::printf("the daemon or the console did not start\ndaemon:\n%s\nconsole:\n%s\n",
                    rig.daemon_log().c_str(), rig.console_log().c_str());
        return 1;
    }
    const json loop = rig.status()["loop"];
    std::printf(
        "console_fanout: treadmilld (embedded simulator, control period %.0f ms, watch at 5 Hz) "
        "and\ntreadmill-console; %.0f s without pages, then %.0f s with %d WebSocket pages\n\n",
        loop.value("period_ms", 0.0), seconds, seconds, kPages);
    std::printf("%-9s %7s %9s %9s %9s %7s %6s %9s %8s %8s\n", "pages", "cpu %", "rss kB",
                "status/s", "daemon %", "cycles", "late", "late/1000", "p99 <=", "max <=");
    const auto length = std::chrono::duration<double>(seconds);
    const Window without = measure(rig, length, nullptr);
    print_row("none", without);

    std::vector<std::string> tokens;
    for (int i = 0; i < kPages; ++i) tokens.push_back(rig.token("viewer"));
    Pages pages(rig.port(), rig.host(), rig.origin(), tokens);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // every page's first status
    const Window with = measure(rig, length, &pages);
    print_row("50 pages", with);

    bool ok = without.ok && with.ok;
    if (pages.upgraded() != kPages || pages.open() != kPages || with.messages == 0) {
        std::printf("%d of %d pages upgraded, %d still open, %ld status messages\n",
                    pages.upgraded(), kPages, pages.open(), with.messages);
        ok = false;
    }
    const double expected = kPages * 1000.0 / 200.0;  // the daemon's watch rate, per page
    std::printf(
        "\nstatus/s: messages the pages received per second (expected %.0f: %d pages at 5 Hz); "
        "late: cycles\nstarting over half a period late; p99/max: start delay, upper bound of "
        "its histogram bucket, in ms\n",
        expected, kPages);
    std::printf(
        "\nRESULT console_cpu_pct=%.1f console_rss_kb=%ld msgs_per_s=%.1f late_per_1000_with=%.2f "
        "late_per_1000_without=%.2f\n",
        with.console_cpu_pct, with.console_rss_kb,
        static_cast<double>(with.messages) / with.seconds, per_1000(with.late, with.cycles),
        per_1000(without.late, without.cycles));
    return ok ? 0 : 1;
}
