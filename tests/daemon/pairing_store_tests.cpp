// The console's pairing store under a hand-advanced clock (PIN expiry, one-time use, the
// attempt limit, revocation), and the pairing file (mode 0600, atomic rewrite, reload, a
// corrupt file moved aside).
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "common/json_text.hpp"
#include "controller/api/pairing_file.hpp"
#include "controller/api/pairing_store.hpp"
#include "tests/support/test_support.hpp"

using namespace std::chrono_literals;
namespace api = treadmill::api;
using api::PairRole;
using treadmill::TimePoint;

namespace {

const TimePoint t0 = TimePoint{} + 1000h;

std::string redeem_error(api::PairingStore& store, const std::string& pin, TimePoint now) {
    auto r = store.redeem(pin, "tablet", now, "2026-12-07T12:00:00.000Z");
    return r ? std::string("ok") : r.error().message;
}

// A PIN that is not outstanding (the store's PINs are random).
std::string other_pin(const std::string& pin) {
    return pin == "000000" ? "000001" : "000000";
}

unsigned file_mode(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("a PIN is six digits, redeemed once for a 256-bit url-safe token of its role") {
    api::PairingStore store;
    const auto pin = store.issue(PairRole::viewer, t0);
    CHECK(std::regex_match(pin.pin, std::regex("[0-9]{6}")));
    CHECK(pin.role == PairRole::viewer);
    CHECK(pin.valid_for == 120s);

    auto paired = store.redeem(pin.pin, "Coach's phone", t0 + 5s, "2026-12-07T12:00:00.000Z");
    REQUIRE(paired.ok());
    CHECK(std::regex_match(paired->token, std::regex("[A-Za-z0-9_-]{43}")));
    CHECK(std::regex_match(paired->device_id, std::regex("d-[0-9a-f]{8}")));
    CHECK(paired->role == PairRole::viewer);

    const auto device = store.check(paired->token);
    REQUIRE(device);
    CHECK(device->device == "Coach's phone");
    CHECK(device->role == PairRole::viewer);
    CHECK(device->paired_utc == "2026-12-07T12:00:00.000Z");
    CHECK(device->token_hash == api::sha256_hex(paired->token));
    CHECK_FALSE(store.check(paired->token + "x"));
    CHECK_FALSE(store.check(""));
    // One-time: the same PIN again is refused.
    CHECK(redeem_error(store, pin.pin, t0 + 6s) == "wrong or expired PIN");
    CHECK(store.devices().size() == 1);
}

TEST_CASE("SHA-256 matches the standard's test vector") {
    CHECK(api::sha256_hex("abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("a PIN expires 2 minutes after it was issued") {
    api::PairingStore store;
    const auto a = store.issue(PairRole::runner, t0);
    const auto b = store.issue(PairRole::runner, t0);
    CHECK(redeem_error(store, a.pin, t0 + 119s) == "ok");
    CHECK(redeem_error(store, b.pin, t0 + 120s) == "wrong or expired PIN");
    CHECK(store.outstanding_pins(t0 + 120s) == 0);
}

TEST_CASE("at most 8 PINs are outstanding: a ninth drops the oldest") {
    api::PairingStore store;
    std::vector<std::string> pins;
    for (int i = 0; i < 9; ++i) pins.push_back(store.issue(PairRole::runner, t0 + i * 1s).pin);
    CHECK(store.outstanding_pins(t0 + 10s) == 8);
    CHECK(redeem_error(store, pins[0], t0 + 10s) == "wrong or expired PIN");
    CHECK(redeem_error(store, pins[1], t0 + 10s) == "ok");
    CHECK(redeem_error(store, pins[8], t0 + 10s) == "ok");
}

TEST_CASE("outstanding PINs never repeat, even when the random source does") {
    // 7, 7, 9 as the first byte of each draw: the second PIN skips the repeated draw.
    std::vector<unsigned char> firsts{7, 7, 9};
    std::size_t draw = 0;
    api::PairingStore store([&](unsigned char* out, std::size_t n) {
        std::fill(out, out + n, 0);
        out[0] = firsts[std::min(draw++, firsts.size() - 1)];
    });
    CHECK(store.issue(PairRole::runner, t0).pin == "000007");
    CHECK(store.issue(PairRole::runner, t0).pin == "000009");
}

TEST_CASE("after 5 wrong PINs within 60 s every redeem is refused until the window passes") {
    api::PairingStore store;
    const auto pin = store.issue(PairRole::runner, t0);
    for (int i = 0; i < 5; ++i)
        CHECK(redeem_error(store, other_pin(pin.pin), t0 + i * 1s) == "wrong or expired PIN");
    // Even the right PIN is refused now; the PIN itself stays valid.
    CHECK(redeem_error(store, pin.pin, t0 + 5s) == "too many PIN attempts; try again in 55 s");
    CHECK(redeem_error(store, pin.pin, t0 + 30s) == "too many PIN attempts; try again in 30 s");
    CHECK(redeem_error(store, pin.pin, t0 + 59500ms) == "too many PIN attempts; try again in 1 s");
    // The first failure left the window at t0 + 60 s: four remain, one more try is allowed.
    CHECK(redeem_error(store, pin.pin, t0 + 60s) == "ok");
}

TEST_CASE("failures spread wider than 60 s never lock") {
    api::PairingStore store;
    const auto pin = store.issue(PairRole::runner, t0);
    for (int i = 0; i < 10; ++i)
        CHECK(redeem_error(store, other_pin(pin.pin), t0 + i * 15s) == "wrong or expired PIN");
    const auto fresh = store.issue(PairRole::runner, t0 + 150s);
    CHECK(redeem_error(store, fresh.pin, t0 + 151s) == "ok");
}

TEST_CASE("a device label is at most 64 characters, without control characters") {
    api::PairingStore store;
    const auto pin = store.issue(PairRole::runner, t0);
    std::string long_label;
    for (int i = 0; i < 64; ++i) long_label += "é";  // 64 characters, 128 bytes
    auto too_long = store.redeem(pin.pin, long_label + "x", t0, "");
    REQUIRE_FALSE(too_long.ok());
    CHECK(too_long.error().bad_label);
    CHECK(too_long.error().message == "'device' is longer than 64 characters");
    auto control = store.redeem(pin.pin, "tab\nlet", t0, "");
    REQUIRE_FALSE(control.ok());
    CHECK(control.error().bad_label);
    // A bad label is no PIN attempt and leaves the PIN valid.
    auto fine = store.redeem(pin.pin, long_label, t0, "");
    REQUIRE(fine.ok());
    CHECK(store.check(fine->token)->device == long_label);
    const auto unnamed = store.issue(PairRole::runner, t0);
    auto blank = store.redeem(unnamed.pin, "", t0, "");
    REQUIRE(blank.ok());
    CHECK(store.check(blank->token)->device == "unnamed device");
}

TEST_CASE("a revoked device's token no longer checks; an unknown id is not revoked") {
    api::PairingStore store;
    const auto a = store.redeem(store.issue(PairRole::runner, t0).pin, "a", t0, "");
    const auto b = store.redeem(store.issue(PairRole::viewer, t0).pin, "b", t0, "");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->device_id != b->device_id);
    CHECK(store.revoke(a->device_id));
    CHECK_FALSE(store.check(a->token));
    CHECK(store.check(b->token));
    CHECK_FALSE(store.revoke(a->device_id));
    CHECK_FALSE(store.revoke("d-00000000"));
    CHECK(store.devices().size() == 1);
}

TEST_CASE("the pairing file: 0600, hashes only, and the tokens check again after a reload") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const std::string path = dir + "/pairing.json";
    api::PairingStore store;
    const auto a = store.redeem(store.issue(PairRole::runner, t0).pin, "Kiosk", t0, "x");
    const auto b = store.redeem(store.issue(PairRole::viewer, t0).pin, "Desk", t0, "y");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    const auto written = api::write_pairing_file(path, treadmill::json_text(store.to_json(), 2));
    REQUIRE_MESSAGE(written.ok(), (written.ok() ? "" : written.error()));
    CHECK(file_mode(path) == 0600);
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
    const std::string text = treadmill::testing::read_file(path);
    CHECK(text.find(a->token) == std::string::npos);
    CHECK(text.find(api::sha256_hex(a->token)) != std::string::npos);

    auto loaded = api::load_pairing_file(path);
    CHECK(loaded.log.empty());
    api::PairingStore again;
    again.set_devices(std::move(loaded.devices));
    REQUIRE(again.check(a->token));
    CHECK(again.check(a->token)->device == "Kiosk");
    CHECK(again.check(b->token)->role == PairRole::viewer);

    // A rewrite replaces the content and keeps the mode, even over a file left wider open.
    ::chmod(path.c_str(), 0644);
    REQUIRE(store.revoke(a->device_id));
    REQUIRE(api::write_pairing_file(path, treadmill::json_text(store.to_json())).ok());
    CHECK(file_mode(path) == 0600);
    api::PairingStore third;
    third.set_devices(api::load_pairing_file(path).devices);
    CHECK_FALSE(third.check(a->token));
    CHECK(third.check(b->token));
    std::filesystem::remove_all(dir);
}

TEST_CASE("an absent pairing file is no device and no log line") {
    const auto loaded = api::load_pairing_file("/nonexistent/dir/pairing.json");
    CHECK(loaded.devices.empty());
    CHECK(loaded.log.empty());
}

TEST_CASE("a corrupt pairing file is moved aside with a clear log line; start with none") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const std::string path = dir + "/pairing.json";
    for (const std::string& content :
         {std::string("{\"version\":1,\"devices\":[{\"device_id\":"), std::string("[1,2]"),
          std::string("{\"version\":1,\"devices\":[{\"device_id\":\"d-1\"}]}")}) {
        CAPTURE(content);
        std::ofstream(path) << content;
        const auto loaded = api::load_pairing_file(path);
        CHECK(loaded.devices.empty());
        REQUIRE(loaded.log.size() == 1);
        CHECK(loaded.log[0].find("pairing file " + path + " is unusable") == 0);
        CHECK(loaded.log[0].find("moved to " + path + ".corrupt") != std::string::npos);
        CHECK(loaded.log[0].find("starting with no paired devices") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(path));
        CHECK(treadmill::testing::read_file(path + ".corrupt") == content);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("a file readable by others is made 0600 at load, with a log line") {
    const std::string dir = treadmill::testing::make_temp_dir();
    const std::string path = dir + "/pairing.json";
    std::ofstream(path) << "{\"version\":1,\"devices\":[]}";
    ::chmod(path.c_str(), 0644);
    const auto loaded = api::load_pairing_file(path);
    REQUIRE(loaded.log.size() == 1);
    CHECK(loaded.log[0].find("now mode 0600") != std::string::npos);
    CHECK(file_mode(path) == 0600);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a write into a directory that does not exist fails with the path in the error") {
    const auto written = api::write_pairing_file("/nonexistent/dir/pairing.json", "{}");
    REQUIRE_FALSE(written.ok());
    CHECK(written.error().find("/nonexistent/dir") != std::string::npos);
}

TEST_CASE("the store counts its changes; unsaved() until a write of the latest is marked") {
    api::PairingStore store;
    CHECK_FALSE(store.unsaved());
    store.issue(PairRole::runner, t0);  // a PIN is no change of the devices
    CHECK_FALSE(store.unsaved());
    const auto a = store.redeem(store.issue(PairRole::runner, t0).pin, "a", t0, "");
    REQUIRE(a.ok());
    CHECK(store.unsaved());
    const auto written = store.generation();
    CHECK(store.revoke(a->device_id));
    store.mark_saved(written);  // an older snapshot reached the file
    CHECK(store.unsaved());
    store.mark_saved(store.generation());
    CHECK_FALSE(store.unsaved());
    CHECK_FALSE(store.revoke(a->device_id));  // nothing changed
    CHECK_FALSE(store.unsaved());
}
