// SimBench: simulator + link config for the driver tests.
#include "tests/protocols/sim_bench.hpp"

#include <stdexcept>

#include "common/json_text.hpp"

namespace treadmill::testing {

SimBench::SimBench(Transport transport, std::uint16_t tcp_port, int baud, bool wire_time) {
    link_.transport = transport;
    if (transport == Transport::tcp) {
        sim_ = sim::EmbeddedSimulator::start_tcp(sim::TcpEndpoint{"127.0.0.1", tcp_port});
        link_.host = "127.0.0.1";
        link_.port = sim_->port();
        return;
    }
    pty_.emplace();
    sim::RtuEndpoint ep;
    ep.device = pty_->a();
    ep.baud = baud;
    ep.parity = 'N';  // ptys at 8N1 (TOOLCHAIN.md); the wire time is emulated at 8E1
    if (wire_time) ep.wire_baud = baud;
    ep.wire_bits_per_char = 11;
    sim_ = sim::EmbeddedSimulator::start_rtu(ep);
    link_.device = pty_->b();
    link_.baud = baud;
    link_.parity = Parity::none;
}

SimBench::~SimBench() {
    sim_->stop();
}

nlohmann::json SimBench::control(const nlohmann::json& command) {
    auto answer = sim_->control(command);
    if (!answer.value("ok", false)) {
        throw std::runtime_error("simulator refused " + json_text(command) + ": " +
                                 json_text(answer));
    }
    return answer;
}

nlohmann::json SimBench::state() {
    return control({{"cmd", "state"}}).at("state");
}

int SimBench::writes_to(int unit, const std::set<int>& addresses) {
    int n = 0;
    const auto snapshot = state();
    for (const auto& w : snapshot.at("writes")) {
        if (w.at("unit").get<int>() != unit) continue;
        const int first = w.at("address").get<int>();
        const int count = static_cast<int>(w.at("values").size());
        for (int a = first; a < first + count; ++a) n += addresses.count(a) ? 1 : 0;
    }
    return n;
}

}  // namespace treadmill::testing
