#include "controller/api/pairing_store.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "common/utf8.hpp"

namespace treadmill::api {

using nlohmann::json;

std::string_view to_string(PairRole role) {
    return role == PairRole::viewer ? "viewer" : "runner";
}

std::optional<PairRole> parse_pair_role(std::string_view text) {
    if (text == "runner") return PairRole::runner;
    if (text == "viewer") return PairRole::viewer;
    return std::nullopt;
}

void system_random_bytes(unsigned char* out, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::getrandom(out + done, size - done, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
}

std::string sha256_hex(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed (OpenSSL)");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xF];
    }
    return out;
}

namespace {

// Equal texts, in a time that does not depend on where they differ.
bool same_secret(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// What is wrong with a device label (valid UTF-8 already: the request line was checked).
std::optional<std::string> label_problem(std::string_view label, std::size_t max_chars) {
    if (find_invalid_utf8(label)) return "'device' is not valid UTF-8";
    std::size_t chars = 0;
    for (const char c : label) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) return "'device' must not contain control characters";
        if ((byte & 0xC0) != 0x80) ++chars;
    }
    if (chars > max_chars)
        return "'device' is longer than " + std::to_string(max_chars) + " characters";
    return std::nullopt;
}

}  // namespace

PairingStore::PairingStore(RandomBytes random, PairingLimits limits)
    : random_(std::move(random)), limits_(limits) {}

// Uniform over 000000..999999 (rejection sampling, no modulo bias).
std::string PairingStore::random_pin() {
    constexpr std::uint32_t kRange = 1'000'000;
    constexpr std::uint32_t kLimit = UINT32_MAX - UINT32_MAX % kRange;
    for (;;) {
        std::uint32_t value = 0;
        random_(reinterpret_cast<unsigned char*>(&value), sizeof value);
        if (value >= kLimit) continue;
        char text[8];
        std::snprintf(text, sizeof text, "%06u", static_cast<unsigned>(value % kRange));
        const bool taken =
            std::any_of(pins_.begin(), pins_.end(), [&](const Pin& p) { return p.pin == text; });
        if (!taken) return text;
    }
}

std::string PairingStore::random_device_id() {
    for (;;) {
        unsigned char bytes[4];
        random_(bytes, sizeof bytes);
        char text[16];
        std::snprintf(text, sizeof text, "d-%02x%02x%02x%02x", bytes[0], bytes[1], bytes[2],
                      bytes[3]);
        const bool taken = std::any_of(devices_.begin(), devices_.end(),
                                       [&](const PairedDevice& d) { return d.device_id == text; });
        if (!taken) return text;
    }
}

// 32 random bytes as unpadded base64url: 43 characters.
std::string PairingStore::random_token() {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char bytes[32];
    random_(bytes, sizeof bytes);
    std::string token;
    std::uint32_t bits = 0;
    int held = 0;
    for (const unsigned char b : bytes) {
        bits = (bits << 8) | b;
        held += 8;
        while (held >= 6) {
            held -= 6;
            token += alphabet[(bits >> held) & 0x3F];
        }
    }
    if (held > 0) token += alphabet[(bits << (6 - held)) & 0x3F];
    return token;
}

void PairingStore::drop_expired(TimePoint now) {
    std::erase_if(pins_, [now](const Pin& p) { return now >= p.expires; });
    while (!failures_.empty() && now - failures_.front() >= limits_.failure_window)
        failures_.pop_front();
}

IssuedPin PairingStore::issue(PairRole role, TimePoint now) {
    drop_expired(now);
    while (pins_.size() >= limits_.max_pins) pins_.pop_front();
    Pin pin{random_pin(), role, now + limits_.pin_valid};
    pins_.push_back(pin);
    return IssuedPin{pin.pin, role, limits_.pin_valid};
}

Result<Redeemed, PairingStore::RedeemError> PairingStore::redeem(std::string_view pin,
                                                                 std::string_view device,
                                                                 TimePoint now,
                                                                 std::string paired_utc) {
    drop_expired(now);
    if (failures_.size() >= limits_.max_failures) {
        const auto wait = limits_.failure_window - (now - failures_.front());
        const auto seconds =
            static_cast<long>(std::ceil(std::chrono::duration<double>(wait).count()));
        return Unexpected{RedeemError{false, "too many PIN attempts; try again in " +
                                                 std::to_string(std::max(1L, seconds)) + " s"}};
    }
    if (auto problem = label_problem(device, limits_.max_device_chars))
        return Unexpected{RedeemError{true, std::move(*problem)}};
    const auto found = std::find_if(pins_.begin(), pins_.end(),
                                    [&](const Pin& p) { return same_secret(p.pin, pin); });
    if (found == pins_.end()) {
        failures_.push_back(now);
        return Unexpected{RedeemError{false, "wrong or expired PIN"}};
    }
    const PairRole role = found->role;
    pins_.erase(found);
    Redeemed redeemed{random_token(), random_device_id(), role};
    devices_.push_back(PairedDevice{
        redeemed.device_id, device.empty() ? std::string("unnamed device") : std::string(device),
        role, std::move(paired_utc), sha256_hex(redeemed.token)});
    ++generation_;
    return redeemed;
}

std::optional<PairedDevice> PairingStore::check(std::string_view token) const {
    const std::string hash = sha256_hex(token);
    for (const auto& d : devices_)
        if (same_secret(d.token_hash, hash)) return d;
    return std::nullopt;
}

bool PairingStore::revoke(std::string_view device_id) {
    const bool found = std::erase_if(devices_, [&](const PairedDevice& d) {
                           return d.device_id == device_id;
                       }) > 0;
    if (found) ++generation_;
    return found;
}

std::size_t PairingStore::outstanding_pins(TimePoint now) {
    drop_expired(now);
    return pins_.size();
}

json PairingStore::to_json() const {
    json devices = json::array();
    for (const auto& d : devices_) {
        devices.push_back({{"device_id", d.device_id},
                           {"device", d.device},
                           {"role", to_string(d.role)},
                           {"paired_utc", d.paired_utc},
                           {"token_sha256", d.token_hash}});
    }
    return {{"version", 1}, {"devices", std::move(devices)}};
}

Result<std::vector<PairedDevice>, std::string> PairingStore::parse(const json& file) {
    if (!file.is_object() || file.value("version", json()) != 1)
        return Unexpected{std::string("not a pairing file of version 1")};
    const auto list = file.find("devices");
    if (list == file.end() || !list->is_array())
        return Unexpected{std::string("'devices' is not a list")};
    std::vector<PairedDevice> devices;
    for (const auto& item : *list) {
        const auto text = [&](const char* key) -> std::optional<std::string> {
            const auto it = item.is_object() ? item.find(key) : item.end();
            if (!item.is_object() || it == item.end() || !it->is_string()) return std::nullopt;
            return it->get<std::string>();
        };
        const auto id = text("device_id"), label = text("device"), role = text("role"),
                   paired = text("paired_utc"), hash = text("token_sha256");
        const auto parsed_role = role ? parse_pair_role(*role) : std::nullopt;
        if (!id || !label || !parsed_role || !paired || !hash || hash->size() != 64)
            return Unexpected{"device " + std::to_string(devices.size() + 1) + " is incomplete"};
        devices.push_back(PairedDevice{*id, *label, *parsed_role, *paired, *hash});
    }
    return devices;
}

}  // namespace treadmill::api
