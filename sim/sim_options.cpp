// The command line of treadmill-sim.
#include "sim/sim_options.hpp"

#include <regex>

namespace treadmill::sim {

namespace {

using Error = Unexpected<std::string>;

Result<int, std::string> parse_int(const std::string& option, const std::string& text, int lo,
                                   int hi) {
    try {
        std::size_t used = 0;
        const long v = std::stol(text, &used);
        if (used == text.size() && v >= lo && v <= hi) return static_cast<int>(v);
    } catch (const std::exception&) {
    }
    return Error{option + ": expected a number " + std::to_string(lo) + ".." + std::to_string(hi) +
                 ", got \"" + text + "\""};
}

Result<TcpEndpoint, std::string> parse_tcp(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        return Error{"--tcp: expected HOST:PORT, got \"" + text + "\""};
    }
    auto port = parse_int("--tcp port", text.substr(colon + 1), 0, 65535);
    if (!port) return Error{port.error()};
    return TcpEndpoint{text.substr(0, colon), static_cast<std::uint16_t>(*port)};
}

// Applies one serial-line option (--baud, --parity, --stop-bits, --wire); false if not one.
std::optional<Result<Done, std::string>> apply_serial(RtuEndpoint& rtu, const std::string& opt,
                                                      const std::string& value) {
    if (opt == "--baud" || opt == "--stop-bits") {
        const bool baud = opt == "--baud";
        auto v = baud ? parse_int(opt, value, 1200, 230400) : parse_int(opt, value, 1, 2);
        if (!v) return Result<Done, std::string>(Error{v.error()});
        (baud ? rtu.baud : rtu.stop_bits) = *v;
    } else if (opt == "--parity") {
        auto p = parse_parity(value);
        if (!p) return Result<Done, std::string>(Error{p.error()});
        rtu.parity = *p;
    } else if (opt == "--wire") {
        auto w = parse_wire(value, rtu);
        if (!w) return Result<Done, std::string>(Error{w.error()});
        rtu = *w;
    } else {
        return std::nullopt;
    }
    return Result<Done, std::string>(Done{});
}

// Applies one option with its value to `cl`.
Result<Done, std::string> apply(CommandLine& cl, RtuEndpoint& rtu, const std::string& opt,
                                const std::string& value) {
    if (auto serial = apply_serial(rtu, opt, value)) return *serial;
    if (opt == "--tcp") {
        auto tcp = parse_tcp(value);
        if (!tcp) return Error{tcp.error()};
        cl.tcp = *tcp;
    } else if (opt == "--rtu") {
        rtu.device = value;
        cl.rtu = rtu;
    } else if (opt == "--control") {
        cl.control_socket = value;
    } else if (opt == "--scenario") {
        auto steps = load_scenario(value);
        if (!steps) return Error{"--scenario: " + steps.error()};
        cl.scenario = *steps;
    } else if (opt == "--time-scale") {
        auto v = parse_int(opt, value, 1, 1000);
        if (!v) return Error{v.error()};
        cl.options.time_scale = *v;
    } else {
        return Error{"unknown option " + opt};
    }
    return Done{};
}

}  // namespace

Result<char, std::string> parse_parity(const std::string& text) {
    if (text == "none" || text == "N") return 'N';
    if (text == "even" || text == "E") return 'E';
    if (text == "odd" || text == "O") return 'O';
    return Error{"--parity: expected none|even|odd (or N|E|O), got \"" + text + "\""};
}

Result<RtuEndpoint, std::string> parse_wire(const std::string& text, RtuEndpoint ep) {
    static const std::regex pattern(R"(([0-9]+),([78])([NEO])([12]))");
    std::smatch m;
    if (!std::regex_match(text, m, pattern)) {
        return Error{"--wire: expected BAUD,FMT like 19200,8E1, got \"" + text + "\""};
    }
    auto baud = parse_int("--wire baud", m[1].str(), 300, 4000000);
    if (!baud) return Error{baud.error()};
    ep.wire_baud = *baud;
    ep.wire_bits_per_char =
        1 + std::stoi(m[2].str()) + (m[3] == "N" ? 0 : 1) + std::stoi(m[4].str());
    return ep;
}

Result<CommandLine, std::string> parse_command_line(int argc, char** argv) {
    CommandLine cl;
    RtuEndpoint rtu;
    for (int i = 1; i < argc; ++i) {
        const std::string opt = argv[i];
        if (opt == "-h" || opt == "--help") {
            cl.help = true;
            return cl;
        }
        if (i + 1 >= argc) return Error{opt + ": missing value"};
        auto applied = apply(cl, rtu, opt, argv[++i]);
        if (!applied) return Error{applied.error()};
    }
    if (cl.rtu) cl.rtu = rtu;  // options given after --rtu apply too
    if (!cl.tcp && !cl.rtu) return Error{"one of --tcp HOST:PORT or --rtu DEVICE is required"};
    if (cl.tcp && cl.rtu) return Error{"--tcp and --rtu exclude each other"};
    return cl;
}

std::string usage_text() {
    return "usage: treadmill-sim --tcp HOST:PORT | --rtu DEVICE [--baud N]\n"
           "                     [--parity none|even|odd] [--stop-bits 1|2] [--wire BAUD,FMT]\n"
           "                     [--control SOCKET] [--scenario FILE] [--time-scale N]\n";
}

std::string serving_line(const CommandLine& cl, std::uint16_t tcp_port) {
    if (cl.tcp) {
        return "treadmill-sim: serving Modbus TCP on " + cl.tcp->host + ":" +
               std::to_string(tcp_port) + " (units 1 and 2)";
    }
    const auto& r = *cl.rtu;
    std::string line = "treadmill-sim: serving Modbus RTU on " + r.device + " at " +
                       std::to_string(r.baud) + " " + std::to_string(r.data_bits) + r.parity +
                       std::to_string(r.stop_bits) + " (units 1 and 2)";
    if (r.wire_baud) line += ", wire time of " + std::to_string(*r.wire_baud) + " baud";
    return line;
}

}  // namespace treadmill::sim
