// Malformed programs: each one's message (a substring) at its line:column, all in one run.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "program_test_helpers.hpp"

using namespace treadmill::programs;
using namespace treadmill::programs::testing;

namespace {

struct BadProgram {
    const char* what;
    std::string yaml;
    int line;
    int column;
    const char* message;
};

bool has_error(const Diagnostics& ds, const BadProgram& b) {
    for (const auto& d : ds)
        if (d.severity == Diagnostic::Severity::error && d.line == b.line && d.column == b.column &&
            d.message.find(b.message) != std::string::npos)
            return true;
    return false;
}

// clang-format off
const std::vector<BadProgram> bad_programs{
    {"bare number for a distance", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 400
    pace: 5k
)__", 4, 10, R"__(the bare number 400 has no unit)__"},
    {"unquoted clock", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 1:30
    pace: 5k
)__", 4, 10, R"__(write the clock form in quotes)__"},
    {"duplicate key", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 400 m
    pace: 5k
    pace: 10k
)__", 6, 5, R"__(duplicate key 'pace' (first at line 5))__"},
    {"near-miss key", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 400 m
    pase: 5k
)__", 5, 5, R"__(unknown key 'pase' in a step (did you mean 'pace'?))__"},
    {"unknown class key", R"__(schema: treadmill-workout/1
name: t
steps:
  - sprint: 400 m
    pace: 5k
)__", 4, 5, R"__(unknown key 'sprint' in a step)__"},
    {"near-miss distance word", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 1 mils
    pace: mile
)__", 4, 10, R"__('run': expected a time like '90 s', '2 min' or "1:30", or a distance like '400 m', '1.2 km'; got '1 mils' (did you mean 'mile'?))__"},
    {"a distance where the mile pace is meant", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 1 mile
    pace: 1 mile
)__", 5, 11, R"__(the mile pace is 'mile', without a number)__"},
    {"unknown reference", R"__(schema: treadmill-workout/1
name: t
references: {tempo: "4:10/km"}
steps:
  - run: 400 m
    pace: temop
)__", 6, 11, R"__(unknown reference 'temop' (did you mean 'tempo'?))__"},
    {"per-rep list of the wrong length", R"__(schema: treadmill-workout/1
name: t
steps:
  - repeat: 3
    steps:
      - run: [200 m, 400 m]
        pace: 5k
)__", 6, 14, R"__(the list has 2 entries but the innermost repeat has 3 reps)__"},
    {"{rep} outside a repeat", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 400 m
    pace: 5k
    cue: "Rep {rep}"
)__", 6, 10, R"__({rep} is known only inside a 'repeat:')__"},
    {"skip_last with the wrong class", R"__(schema: treadmill-workout/1
name: t
steps:
  - repeat: 2
    skip_last: recover
    steps:
      - recover: 1 min
        pace: jog
      - run: 400 m
        pace: 5k
)__", 5, 16, R"__(the final step of this repeat is a 'run' (line 9))__"},
    {"open without max", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: open
    speed: manual
)__", 4, 10, R"__(an open step needs 'max:')__"},
    {"over 4 h names the step", R"__(schema: treadmill-workout/1
name: t
steps:
  - warmup: 2 h
    pace: easy
  - run: 1 h 59 min
    pace: easy
  - cooldown: 5 min
    pace: easy
)__", 8, 5, R"__(passes 4 h at this cooldown step (step 3, running total 4:04:00))__"},
    {"tab", "schema: treadmill-workout/1\nname: t\nsteps:\n  - run: 400 m\n\tpace: 5k\n", 5, 1, R"__(tab character)__"},
    {"wrong schema", R"__(schema: treadmill-workout/2
name: t
steps:
  - run: 400 m
    pace: 5k
)__", 1, 9, R"__(unknown schema 'treadmill-workout/2')__"},
    {"degrees", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 400 m
    pace: 5k
    incline: 5 deg
)__", 6, 14, R"__(degrees are not accepted)__"},
    {"unknown time unit", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 5 m
    pace: 5k
  - walk: 2 mins
    speed: 5 km/h
)__", 6, 11, R"__(got '2 mins')__"},
    {"range outside fartlek", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 400 m
    pace: 5k..mile
)__", 5, 11, R"__(a range (a..b) is only allowed inside a fartlek block)__"},
    {"speed and pace", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 400 m
    pace: 5k
    speed: 12 km/h
)__", 6, 5, R"__(give either 'speed:' or 'pace:', not both)__"},
    {"no speed", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 400 m
)__", 4, 5, R"__(a step needs 'pace:' or 'speed:')__"},
    {"two class keys", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 400 m
    walk: 1 min
    pace: 5k
)__", 5, 5, R"__(exactly one class key; found 'run' and 'walk')__"},
    {"repeat count 0", R"__(schema: treadmill-workout/1
name: t
steps:
  - repeat: 0
    steps:
      - run: 400 m
        pace: 5k
)__", 4, 13, R"__(expected a whole count from 1 to 1000)__"},
    {"list outside a repeat", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: [400 m, 800 m]
    pace: 5k
)__", 4, 10, R"__(needs an enclosing 'repeat:')__"},
    {"max on a step that is not open", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 400 m
    max: 10 min
    pace: 5k
)__", 5, 5, R"__('max:' applies only to an open step)__"},
    {"fartlek without recover", R"__(schema: treadmill-workout/1
name: t
steps:
  - fartlek: 20 min
    surge: {for: 20 s..90 s, pace: 5k..mile}
)__", 4, 5, R"__(a fartlek block needs 'recover:')__"},
    {"fartlek extents of the wrong kind", R"__(schema: treadmill-workout/1
name: t
steps:
  - fartlek: 20 min
    surge: {for: 200 m..400 m, pace: 5k}
    recover: {for: 1 min, pace: jog}
)__", 5, 18, R"__(the block is timed; give times)__"},
    {"near-miss top-level key", R"__(schema: treadmill-workout/1
name: t
step:
  - run: 400 m
    pace: 5k
)__", 3, 1, R"__(unknown key 'step' in the program (did you mean 'steps'?))__"},
    {"reference cycle", R"__(schema: treadmill-workout/1
name: t
references: {a: "b + 5 s/km", b: "95% a"}
steps:
  - run: 400 m
    pace: a
)__", 3, 34, R"__(is defined in terms of itself)__"},
    {"YAML syntax", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 400 m
    pace: [5k
)__", 6, 1, R"__(YAML: end of sequence flow not found)__"},
    {"zero extent", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 0 s
    pace: 5k
)__", 4, 10, R"__(must be more than 0)__"},
    {"unknown cue placeholder", R"__(schema: treadmill-workout/1
name: t
steps:
  - repeat: 2
    steps:
      - run: 400 m
        pace: 5k
        cue: "{rpe}"
)__", 8, 14, R"__(unknown placeholder {rpe})__"},
    {"bare number for a speed", R"__(schema: treadmill-workout/1
name: t
steps:
  - run: 400 m
    speed: 12
)__", 5, 12, R"__(the bare number 12 has no unit)__"},
    {"near-miss requires key", R"__(schema: treadmill-workout/1
name: t
requires: {max_incline: 22 %, max_sped: 20 km/h}
steps:
  - run: 400 m
    pace: 5k
)__", 3, 31, R"__(unknown key 'max_sped' in requires: (did you mean 'max_speed'?))__"},
    {"skip_last unknown class", R"__(schema: treadmill-workout/1
name: t
steps:
  - repeat: 2
    skip_last: recovery
    steps:
      - run: 400 m
        pace: 5k
)__", 5, 16, R"__(unknown step class 'recovery' (did you mean 'recover'?))__"},
    {"fartlek bad seed", R"__(schema: treadmill-workout/1
name: t
steps:
  - fartlek: 20 min
    seed: -3
    start_with: surg
    surge: {for: 20 s..90 s, pace: 5k..mile}
    recover: {for: 90 s..45 s, pace: jog}
)__", 5, 11, R"__('seed': expected a whole number)__"},
    {"fartlek start_with", R"__(schema: treadmill-workout/1
name: t
steps:
  - fartlek: 20 min
    seed: -3
    start_with: surg
    surge: {for: 20 s..90 s, pace: 5k..mile}
    recover: {for: 90 s..45 s, pace: jog}
)__", 6, 17, R"__(expected 'surge' or 'recover' (did you mean 'surge'?))__"},
    {"fartlek inverted range", R"__(schema: treadmill-workout/1
name: t
steps:
  - fartlek: 20 min
    seed: -3
    start_with: surg
    surge: {for: 20 s..90 s, pace: 5k..mile}
    recover: {for: 90 s..45 s, pace: jog}
)__", 8, 20, R"__(the lower bound is above the upper one)__"},
    {"alias bomb", R"__(schema: treadmill-workout/1
name: t
a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
steps: []
)__", 0, 0, R"__(aliases count each time)__"},
    {"deep flow nesting", "schema: treadmill-workout/1\nname: t\nsteps: " + std::string(3000, '[') + std::string(3000, ']') + "\n", 3, 71, R"__(nesting deeper than 64 levels)__"},
    {"deep block nesting", [] { std::string s = "schema: treadmill-workout/1\nname: t\nsteps:\n"; for (int i = 1; i <= 200; ++i) s += std::string(static_cast<std::size_t>(i), ' ') + "- \n"; return s; }(), 66, 64, R"__(nesting deeper than 64 levels)__"},
    {"deep dash nesting", [] { std::string s = "schema: treadmill-workout/1\nname: t\nsteps:\n  "; for (int i = 0; i < 500; ++i) s += "- "; return s + "x\n"; }(), 4, 127, R"__(nesting deeper than 64 levels)__"},
};
// clang-format on

}  // namespace

TEST_CASE("errors: each malformed program is refused with its message at its place") {
    CHECK(bad_programs.size() >= 25);
    for (const auto& bad : bad_programs) {
        CAPTURE(bad.what);
        const Diagnostics ds = validate_program(bad.yaml, "bad.yaml");
        INFO(joined(ds));
        CHECK(has_errors(ds));
        CHECK(has_error(ds, bad));
        auto loaded = load_program(bad.yaml, "bad.yaml", "bad", {});
        CHECK_FALSE(loaded.timeline);
    }
}

TEST_CASE("errors: all errors of a file in one run, GCC style, in order") {
    const std::string yaml = R"(schema: treadmill-workout/1
name: many
steps:
  - run: 400
    pace: 5k
  - walk: 2 min
    speed: fast
  - recover: 1 min
    pase: jog
)";
    const Diagnostics ds = validate_program(yaml, "many.yaml");
    const Diagnostics errors = errors_only(ds);
    REQUIRE(errors.size() == 4);
    CHECK(errors[0].to_string().rfind("many.yaml:4:10: error: 'run': the bare number", 0) == 0);
    CHECK(errors[1].to_string().rfind("many.yaml:7:12: error: unknown reference 'fast'", 0) == 0);
    CHECK(errors[2].line == 8);
    CHECK(errors[3].to_string().rfind("many.yaml:9:5: error: unknown key 'pase'", 0) == 0);
}

TEST_CASE("errors: file caps and profile errors") {
    const std::string big = "schema: treadmill-workout/1\nname: big\ndescription: \"" +
                            std::string(1100 * 1024, 'x') + "\"\nsteps: []\n";
    auto ds = validate_program(big, "big.yaml");
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].to_string() == "big.yaml: error: file is larger than 1024 KiB; refused");

    auto p = load_profile(
        "schema: treadmill-profile/1\npaces: {5k: 15}\nlimits: {max_sped: 14 km/h}\n"
        "units: metrik\n",
        "me.yaml");
    CHECK_FALSE(p.profile);
    REQUIRE(p.diagnostics.size() == 3);
    CHECK(p.diagnostics[0].to_string().rfind("me.yaml:2:13: error: '5k': the bare number", 0) == 0);
    CHECK(p.diagnostics[1].message.find("did you mean 'max_speed'?") != std::string::npos);
    CHECK(p.diagnostics[2].line == 4);

    ResolveOptions options;
    options.pace_overrides["5k"] = "fast";
    auto r =
        load_program("schema: treadmill-workout/1\nname: x\nsteps:\n  - run: 1 km\n    pace: 5k\n",
                     "x.yaml", "x", options);
    CHECK_FALSE(r.timeline);
    REQUIRE_FALSE(r.diagnostics.empty());
    CHECK(r.diagnostics[0].file == "--pace 5k");
}

TEST_CASE("errors: distance words are accepted; 'mile' alone is the pace reference") {
    const std::string yaml = R"(schema: treadmill-workout/1
name: words
references: {mile: "4:00/km", easy: "6:00/km"}
steps:
  - run: 1 mile
    pace: mile
  - recover: 800 yards
    pace: easy
  - run: 2 miles
    pace: 95% mile
  - cooldown: 1 kilometer
    pace: easy
)";
    const Diagnostics ds = validate_program(yaml, "words.yaml");
    INFO(joined(ds));
    CHECK_FALSE(has_errors(ds));
    const Timeline t = load_ok(yaml);
    REQUIRE(t.steps.size() == 4);
    CHECK(t.steps[0].extent == doctest::Approx(1609.344));
    CHECK(t.steps[0].speed_kmh == doctest::Approx(15.0));
    CHECK(t.steps[1].extent == doctest::Approx(731.52));
    CHECK(t.steps[2].extent == doctest::Approx(3218.688));
    CHECK(t.steps[3].extent == doctest::Approx(1000));
}

TEST_CASE("errors: empty, non-mapping and odd documents") {
    for (const char* yaml :
         {"", "42", "[1, 2]", "schema: treadmill-workout/1\nname: x\nsteps: []\n",
          "schema: treadmill-workout/1\nname: x\nsteps: {run: 1 km}\n",
          "schema: treadmill-workout/1\nname: x\nsteps:\n  - 42\n",
          "schema: treadmill-workout/1\nname: [x]\nsteps:\n  - run: 1 km\n    speed: 10 km/h\n",
          "? [a]\n: b\n", "a: \"\0\"\n"}) {
        CAPTURE(yaml);
        CHECK(has_errors(validate_program(yaml, "odd.yaml")));
    }
}
