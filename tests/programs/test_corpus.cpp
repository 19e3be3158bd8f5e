// The committed fuzz corpus doubles as examples: valid_* load cleanly, invalid_* are refused.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "program_test_helpers.hpp"

using namespace treadmill::programs;
using namespace treadmill::programs::testing;

TEST_CASE("corpus: valid programs load, invalid ones are refused") {
    int valid = 0, invalid = 0;
    for (const auto& entry : std::filesystem::directory_iterator(TREADMILL_PROGRAMS_CORPUS)) {
        const std::string path = entry.path().string();
        const std::string name = entry.path().filename().string();
        CAPTURE(name);
        ResolveOptions options;
        options.drawn_seed = 1;
        auto r = load_program_file(path, options);
        INFO(joined(r.diagnostics));
        if (name.rfind("valid_", 0) == 0) {
            ++valid;
            CHECK(r.timeline.has_value());
            CHECK(errors_only(validate_program_file(path)).empty());
        } else if (name.rfind("invalid_", 0) == 0) {
            ++invalid;
            CHECK_FALSE(r.timeline.has_value());
            CHECK(has_errors(validate_program_file(path)));
        }
    }
    CHECK(valid >= 4);
    CHECK(invalid >= 3);
}

TEST_CASE("corpus: a program with many errors reports each of them") {
    const Diagnostics ds = errors_only(
        validate_program_file(std::string(TREADMILL_PROGRAMS_CORPUS) + "/invalid_many.yaml"));
    INFO(joined(ds));
    CHECK(ds.size() >= 8);
}

TEST_CASE("corpus: the hill ladder's shape") {
    auto r = load_program_file(std::string(TREADMILL_PROGRAMS_CORPUS) + "/valid_ladder.yaml", {});
    REQUIRE(r.timeline);
    // 2 x (4 runs + 3 walks) + the open step
    CHECK(r.timeline->steps.size() == 15);
    CHECK(r.timeline->total_s == doctest::Approx(2 * (600 + 270) + 600));
    CHECK(r.timeline->steps[6].incline_pct == 10);
    CHECK(r.timeline->warnings.empty());
}
