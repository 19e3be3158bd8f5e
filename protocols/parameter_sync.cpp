// Read-compare-write of board parameters.
#include "protocols/parameter_sync.hpp"

namespace treadmill {

namespace {
// Length of the run of consecutive addresses starting at index `first`.
std::size_t run_length(std::span<const ParameterValue> wanted, std::size_t first) {
    std::size_t n = 1;
    while (first + n < wanted.size() && wanted[first + n].address == wanted[first].address + n) {
        ++n;
    }
    return n;
}
}  // namespace

std::vector<std::span<const ParameterValue>> parameter_runs(
    std::span<const ParameterValue> wanted) {
    std::vector<std::span<const ParameterValue>> runs;
    for (std::size_t i = 0; i < wanted.size();) {
        const std::size_t n = run_length(wanted, i);
        runs.push_back(wanted.subspan(i, n));
        i += n;
    }
    return runs;
}

Result<std::vector<ParameterValue>, LinkError> read_parameters(
    ModbusLink& link, TimePoint now, int unit, std::span<const ParameterValue> wanted) {
    std::vector<ParameterValue> actual;
    actual.reserve(wanted.size());
    for (const auto run : parameter_runs(wanted)) {
        auto regs =
            link.read_registers(now, unit, run.front().address, static_cast<int>(run.size()));
        if (!regs) return Unexpected{regs.error()};
        for (std::size_t k = 0; k < run.size(); ++k) actual.push_back({run[k].address, (*regs)[k]});
    }
    return actual;
}

ConfigCheck compare_parameters(std::span<const ParameterValue> wanted,
                               std::span<const ParameterValue> actual) {
    ConfigCheck check;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        const std::uint16_t got = i < actual.size() ? actual[i].value : 0;
        if (i >= actual.size() || got != wanted[i].value) {
            check.mismatch_address = wanted[i].address;
            check.expected = wanted[i].value;
            check.actual = got;
            return check;
        }
    }
    return check;
}

Result<SyncReport, LinkError> sync_parameters(ModbusLink& link, TimePoint now, int unit,
                                              std::span<const ParameterValue> wanted) {
    auto current = read_parameters(link, now, unit, wanted);
    if (!current) return Unexpected{current.error()};
    SyncReport report;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        if ((*current)[i].value == wanted[i].value) continue;
        auto written = link.write_register(now, unit, wanted[i].address, wanted[i].value);
        if (!written) return Unexpected{written.error()};
        ++report.written;
    }
    if (report.written == 0) {
        report.check = compare_parameters(wanted, *current);
        return report;
    }
    auto check = check_parameters(link, now, unit, wanted);
    if (!check) return Unexpected{check.error()};
    report.check = *check;
    return report;
}

Result<ConfigCheck, LinkError> check_parameters(ModbusLink& link, TimePoint now, int unit,
                                                std::span<const ParameterValue> wanted) {
    auto actual = read_parameters(link, now, unit, wanted);
    if (!actual) return Unexpected{actual.error()};
    return compare_parameters(wanted, *actual);
}

}  // namespace treadmill
