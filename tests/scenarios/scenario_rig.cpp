// Board processes and the removable pty pair of the scenario runner.
#include "tests/scenarios/scenario_rig.hpp"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "tests/peers/peer_process.hpp"

namespace treadmill::scenarios {

namespace t = treadmill::testing;
using nlohmann::json;
using namespace std::chrono_literals;

Transport parse_transport(const std::string& name) {
    if (name == "tcp") return Transport::tcp;
    if (name == "rtu") return Transport::rtu;
    if (name == "peer_tcp") return Transport::peer_tcp;
    if (name == "peer_rtu") return Transport::peer_rtu;
    throw std::runtime_error("unknown transport \"" + name + "\"");
}

bool is_rtu(Transport tr) {
    return tr == Transport::rtu || tr == Transport::peer_rtu;
}

bool is_peer(Transport tr) {
    return tr == Transport::peer_tcp || tr == Transport::peer_rtu;
}

double runner_now() {
    static const auto start = std::chrono::steady_clock::now();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double epoch_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Board::Board(Transport transport, const std::string& dir, const std::string& rtu_device,
             int time_scale)
    : transport_(transport),
      control_(dir + "/board.sock"),
      log_(dir + "/board.log"),
      port_(t::free_tcp_port()) {
    std::vector<std::string> argv;
    if (is_peer(transport))
        argv = {TREADMILL_PYTHON, TREADMILL_PEER_SCRIPT};
    else
        argv = {TREADMILL_SIM_BIN};
    if (is_rtu(transport))
        argv.insert(argv.end(), {"--rtu", rtu_device, "--baud", "19200", "--parity", "none",
                                 "--wire", "19200,8E1"});
    else
        argv.insert(argv.end(), {"--tcp", "127.0.0.1:" + std::to_string(port_)});
    argv.insert(argv.end(), {"--control", control_, "--time-scale", std::to_string(time_scale)});
    child_ = std::make_unique<t::ChildProcess>(argv, log_);
}

bool Board::ready() {
    const bool serving = t::wait_until(
        [&] {
            if (t::read_file(log_).find("serving") == std::string::npos) return false;
            return is_rtu(transport_) || t::tcp_accepts(port_);
        },
        10s);
    if (!serving) return false;
    // The board's wall clock against ours: the midpoint of one state round trip.
    const double before = runner_now();
    const auto reply = control({{"cmd", "state"}, {"writes_since", 1e9}});
    const double after = runner_now();
    if (!reply.is_object() || !reply.contains("state")) return false;
    offset_ = (before + after) / 2.0 - reply["state"]["wall_s"].get<double>();
    return true;
}

json Board::control(const json& request) {
    return t::control_request(control_, request);
}

bool Board::poll() {
    const auto reply = control({{"cmd", "state"}, {"writes_since", last_write_wall_}});
    if (!reply.is_object() || !reply.contains("state")) return false;
    state_ = reply["state"];
    for (const auto& w : state_["writes"]) {
        const double wall = w["t"].get<double>();
        if (wall <= last_write_wall_) continue;
        last_write_wall_ = wall;
        const auto& v = w["values"];
        if (w["unit"] != 1 || w["address"] != 0x2000 || !v.is_array() || v.empty()) continue;
        writes_.push_back({wall + offset_, v[0].get<int>(), v.size() > 1 ? v[1].get<int>() : -1});
    }
    state_.erase("writes");
    return true;
}

double Board::belt_kmh() const {
    return state_.is_object() ? state_.value("belt_kmh", 0.0) : 0.0;
}

int Board::drive_fault() const {
    if (!state_.is_object() || !state_.contains("drive")) return -1;
    return state_["drive"].value("fault", -1);
}

std::string Board::log() const {
    return t::read_file(log_);
}

}  // namespace treadmill::scenarios
