// Paired devices of the runner's console (docs/api.md, "Pairing"): one-time 6-digit PINs
// (valid 2 minutes, at most 8 outstanding), redeemed for a 256-bit token per device; only the
// token's SHA-256 is kept. Redeem attempts are rate-limited per daemon. Pure logic: time and
// randomness are passed in, the file is someone else's (pairing_file.hpp). Not thread-safe: the
// API uses it on the io_context thread only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace treadmill::api {

enum class PairRole { runner, viewer };

std::string_view to_string(PairRole role);
std::optional<PairRole> parse_pair_role(std::string_view text);

struct PairedDevice {
    std::string device_id;  // "d-" + 8 hex digits
    std::string device;     // the label given when the PIN was redeemed
    PairRole role = PairRole::runner;
    std::string paired_utc;  // RFC 3339
    std::string token_hash;  // SHA-256 of the token, 64 lowercase hex digits
};

struct IssuedPin {
    std::string pin;  // 6 digits
    PairRole role = PairRole::runner;
    Duration valid_for{};
};

struct Redeemed {
    std::string token;  // 43 url-safe base64 characters (256 bits)
    std::string device_id;
    PairRole role = PairRole::runner;
};

struct PairingLimits {
    std::size_t max_pins = 8;  // outstanding; the oldest is dropped
    Duration pin_valid = std::chrono::minutes(2);
    std::size_t max_failures = 5;  // wrong PINs within `failure_window`, then refused
    Duration failure_window = std::chrono::seconds(60);
    std::size_t max_device_chars = 64;  // code points of a device label
};

// Fills the buffer with random bytes (the default: getrandom(2)); throws when it cannot.
using RandomBytes = std::function<void(unsigned char* out, std::size_t size)>;
void system_random_bytes(unsigned char* out, std::size_t size);

// 64 lowercase hex digits of SHA-256(text).
std::string sha256_hex(std::string_view text);

class PairingStore {
  public:
    explicit PairingStore(RandomBytes random = system_random_bytes, PairingLimits limits = {});

    // A fresh PIN (distinct from the outstanding ones) for a device of `role`.
    IssuedPin issue(PairRole role, TimePoint now);
    // Why a redeem was refused (the API's `refused` message) or a device label was wrong.
    struct RedeemError {
        bool bad_label = false;  // the label, not the PIN (bad_value)
        std::string message;
    };
    // Trades an outstanding PIN for a new device and its token; the PIN is used up. A wrong or
    // expired PIN counts as a failed attempt. `paired_utc`: the wall time, as it is recorded.
    Result<Redeemed, RedeemError> redeem(std::string_view pin, std::string_view device,
                                         TimePoint now, std::string paired_utc);
    // The device holding `token`, if it is paired.
    std::optional<PairedDevice> check(std::string_view token) const;
    // False when no device has that id.
    bool revoke(std::string_view device_id);
    // Removes a device again (a redeem whose file could not be written).
    void forget(std::string_view device_id) { (void)revoke(device_id); }
    const std::vector<PairedDevice>& devices() const { return devices_; }
    // PINs still valid at `now` (for tests).
    std::size_t outstanding_pins(TimePoint now);

    // The devices as the pairing file holds them: {"version":1,"devices":[…]} (hashes, no
    // tokens).
    nlohmann::json to_json() const;
    // The devices of a pairing file's content; an error names what is wrong.
    static Result<std::vector<PairedDevice>, std::string> parse(const nlohmann::json& file);
    void set_devices(std::vector<PairedDevice> devices) { devices_ = std::move(devices); }

    // Counts the changes of the devices (redeem, revoke); the file holds those up to
    // `mark_saved`'s. unsaved(): a change is not in the file yet (written at shutdown).
    std::uint64_t generation() const { return generation_; }
    void mark_saved(std::uint64_t generation) { saved_ = std::max(saved_, generation); }
    bool unsaved() const { return saved_ < generation_; }

  private:
    struct Pin {
        std::string pin;
        PairRole role;
        TimePoint expires;
    };
    void drop_expired(TimePoint now);
    std::string random_pin();
    std::string random_device_id();
    std::string random_token();

    RandomBytes random_;
    PairingLimits limits_;
    std::deque<Pin> pins_;  // oldest first
    std::deque<TimePoint> failures_;
    std::vector<PairedDevice> devices_;
    std::uint64_t generation_ = 0, saved_ = 0;
};

}  // namespace treadmill::api
