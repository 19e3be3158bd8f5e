// libFuzzer target: arbitrary bytes as the lines a client sends to the control API. They go
// through the real ClientSession (framing, line limit, request checks) and the real command
// table of treadmilld (make_controller_commands) bound to a ControlCycle over the in-process
// FakeTreadmill, on an in-process socket pair (no listening socket, no daemon, no clock: time
// is the harness's). Lines starting with '#' are not sent: they are harness directives that
// change the fake (key, faults, dead bus) or advance time (see apply_directive()).
//
// Invariants: every line gets exactly one reply, in order, that is a JSON object with a
// boolean "ok", the request's integer id echoed, an error object with a known code (never
// "internal") when ok is false; handlers never touch the hardware; and after every control
// cycle the writes obey the safety rules of tests/fuzz/write_checker.hpp (no RUN with the key
// out or a fault latched, speeds within limits, rate limits).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/fuzz/api_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    treadmill::fuzz::ApiHarness harness;
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    while (!rest.empty() && !harness.closed()) {
        const std::size_t nl = rest.find('\n');
        const std::size_t len = nl == std::string_view::npos ? rest.size() : nl + 1;
        harness.feed(rest.substr(0, len));
        rest.remove_prefix(len);
    }
    harness.finish();
    return 0;
}
