// The YAML helpers the config loader shares: positions, maps read once, quantity scalars.
#include <doctest/doctest.h>

#include "program_test_helpers.hpp"
#include "programs/quantity.hpp"
#include "programs/yaml_doc.hpp"

using namespace treadmill::programs;
using namespace treadmill::programs::testing;

TEST_CASE("yaml_doc: a config-like map with quantities, duplicates and near misses") {
    DiagnosticSink sink("treadmilld.yaml");
    auto root = load_yaml(R"(limits:
  accel: 1 km/h/s
  incline_rate: 0.6 %/s
  max_speed: 20
  acel: 2 km/h/s
  accel: 3 km/h/s
motor: {max_frequency: 60 Hz, comm_timeout: "0:01"}
)",
                          sink);
    REQUIRE(root);
    MapReader top(*root, sink, "the config", {"limits", "motor"});
    MapReader limits(top.find("limits")->value, sink,
                     "limits:", {"accel", "incline_rate", "max_speed"});
    const auto* accel = limits.find("accel");
    REQUIRE(accel);
    auto text = quantity_text(accel->value, sink, "accel", "'1 km/h/s'");
    REQUIRE(text);
    CHECK(*parse_speed_rate_kmh_per_s(*text) == 1.0);
    CHECK_FALSE(quantity_text(limits.find("max_speed")->value, sink, "max_speed", "'20 km/h'"));
    MapReader motor(top.find("motor")->value, sink, "motor:", {"max_frequency", "comm_timeout"});
    auto hz = quantity_text(motor.find("max_frequency")->value, sink, "max_frequency", "'60 Hz'");
    CHECK(*parse_frequency_hz(*hz) == 60);
    auto timeout = quantity_text(motor.find("comm_timeout")->value, sink, "comm_timeout", "");
    REQUIRE(timeout);  // quoted, so the clock form is fine
    CHECK(*parse_time_s(*timeout) == 1);

    const Diagnostics ds = sink.take();
    INFO(joined(ds));
    REQUIRE(ds.size() == 3);
    CHECK(ds[0].to_string() ==
          "treadmilld.yaml:4:14: error: 'max_speed': the bare number 20 has no unit; write it "
          "with one, e.g. '20 km/h'");
    CHECK(ds[1].to_string().rfind(
              "treadmilld.yaml:5:3: error: unknown key 'acel' in limits: (did you mean 'accel'?)",
              0) == 0);
    CHECK(ds[2].to_string() ==
          "treadmilld.yaml:6:3: error: duplicate key 'accel' (first at line 2)");
}

TEST_CASE("yaml_doc: closest_match") {
    const std::vector<std::string> keys{"steps", "schema", "name", "requires"};
    CHECK(closest_match("step", keys) == "steps");
    CHECK(closest_match("shcema", keys) == "schema");  // a transposition is one edit
    CHECK(closest_match("nmae", keys) == "name");
    CHECK(closest_match("zzz", keys).empty());
    CHECK(did_you_mean("requries", keys) == " (did you mean 'requires'?)");
}
