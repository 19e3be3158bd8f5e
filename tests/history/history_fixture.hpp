// Shared by the history tests: a database path in a fresh temp dir, a store opened on it, and a
// steady run's samples.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "history/history_store.hpp"
#include "history/session_record.hpp"
#include "tests/support/test_support.hpp"

namespace treadmill::history::test {

struct TempDb {
    std::string dir = testing::make_temp_dir();
    std::string path = dir + "/history.db";
    ~TempDb() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

// The store at `path`, opened (the test fails with the reason when it does not open).
inline std::unique_ptr<HistoryStore> open_store(const std::string& path,
                                                StoreOptions options = {}) {
    auto opened = HistoryStore::open(path, options);
    REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error()));
    return std::move(opened->store);
}

// One sample a second from `from_s` for `seconds`, at `kmh`, starting at `from_mm`.
inline std::vector<Sample> steady(double from_s, int seconds, double kmh, std::int64_t from_mm) {
    std::vector<Sample> out;
    for (int i = 0; i <= seconds; ++i) {
        Sample s;
        s.elapsed_s = from_s + i;
        s.distance_mm = from_mm + std::llround(kmh / 3.6 * i * 1000);
        s.speed_kmh = s.target_speed_kmh = kmh;
        out.push_back(s);
    }
    return out;
}

}  // namespace treadmill::history::test
