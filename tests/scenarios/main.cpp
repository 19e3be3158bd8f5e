// scenario_runner FILE TRANSPORT — plays one fault scenario (tests/scenarios/*.yaml) against
// treadmilld and the boards (treadmill-sim or the Python peer) as real processes, over Modbus
// TCP or RTU (a socat pty pair, 8N1 on the pty, 19200 8E1 wire time emulated by the board).
//
// A scenario: the program started and at speed, then a timeline of steps. Each step waits
// (`at` from the timeline's zero, `after` the previous step, `when` a condition) and then acts:
// a board control command (`sim`), a daemon API request (`api`), a signal to the daemon
// (`daemon: kill9|sigstop|sigcont|sigterm`) or the serial device vanishing and coming back
// (`pty: remove|restore`). The first action (or the one with `mark: true`) is the fault instant.
// The runner polls the board's state (with only the new writes) and the daemon's status every
// ~20 ms, and then checks `expect:` — the fault that must latch (or `none`), its latency from the
// fault instant (to the first status reply that shows it), the first STOP write to the drive, the
// belt at rest, the final state — and, for every scenario, that no RUN above 0 Hz reaches the drive
// after a trip, a freeze or a completed stop without an explicit `start`/`resume` after it. It
// prints one timing line (docs/reliability.md) and exits 0 when everything held, else 1.
#include <iostream>

#include "tests/scenarios/scenario_run.hpp"

using namespace treadmill::scenarios;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: scenario_runner FILE tcp|rtu|peer_tcp|peer_rtu\n";
        return 2;
    }
    runner_now();  // starts the runner's clock
    Scenario scenario;
    Transport transport{};
    try {
        scenario = load_scenario(argv[1]);
        transport = parse_transport(argv[2]);
    } catch (const std::exception& e) {
        std::cerr << argv[1] << ": " << e.what() << "\n";
        return 2;
    }
    std::cout << "scenario " << scenario.name << " (" << argv[2] << "): " << scenario.proves
              << std::endl;
    ScenarioRun run(scenario, transport);
    const auto failures = run.run();
    for (const auto& f : failures) std::cout << "FAILED: " << f << "\n";
    std::cout << "timing " << scenario.name << "." << argv[2] << ": "
              << run.timing_line(failures.empty()) << std::endl;
    if (!failures.empty()) std::cout << run.logs() << std::endl;
    return failures.empty() ? 0 : 1;
}
