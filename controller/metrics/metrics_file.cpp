#include "controller/metrics/metrics_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/atomic_file.hpp"
#include "common/json_text.hpp"

namespace treadmill::metrics {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxFileBytes = 1024 * 1024;
constexpr int kVersion = 1;

void move_aside(const std::string& path, const std::string& why, MetricsFileLoad& load) {
    std::string line = "metrics file " + path + " is unusable (" + why + ")";
    const auto aside = move_file_aside(path);
    line += aside ? "; moved to " + *aside : "; could not move it aside: " + aside.error();
    load.log.push_back(line + "; the counters start from zero");
}

}  // namespace

MetricsFileLoad load_metrics_file(const std::string& path) {
    MetricsFileLoad load;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return load;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        load.log.push_back("metrics file " + path + " cannot be read: " + std::strerror(errno) +
                           "; the counters start from zero");
        return load;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > kMaxFileBytes) {
        move_aside(path, "larger than 1 MiB", load);
        return load;
    }
    try {
        const json j = json::parse(text.str());
        if (!j.is_object() || j.value("version", 0) != kVersion)
            throw std::runtime_error("not a version 1 metrics file");
        load.counters = Counters::from_json(j.at("counters"));
        load.clean = j.at("clean").get<bool>();
        load.found = true;
    } catch (const std::exception& e) {
        load.counters = Counters{};
        load.clean = true;
        move_aside(path, e.what(), load);
    }
    return load;
}

std::string metrics_file_text(const Counters& counters, bool clean) {
    return json_text(
               json{{"version", kVersion}, {"clean", clean}, {"counters", counters.to_json()}}) +
           "\n";
}

Result<Done, std::string> write_metrics_file(const std::string& path, const Counters& counters,
                                             bool clean) {
    return write_file_atomically(path, metrics_file_text(counters, clean), 0600);
}

}  // namespace treadmill::metrics
