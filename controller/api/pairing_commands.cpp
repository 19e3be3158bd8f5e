#include "controller/api/pairing_commands.hpp"

#include "common/json_text.hpp"
#include "controller/api/off_loop_worker.hpp"
#include "controller/api/pairing_file.hpp"
#include "controller/api/status_json.hpp"

namespace treadmill::api {

namespace {

// Writes the store's devices to the file (on the worker), then `done(error or "")` on the loop
// thread. Without a file, done("") at once.
void save(const PairingApi& api, std::function<void(std::string)> done) {
    if (api.file.empty()) return done("");
    run_off_loop(
        api.worker,
        [path = api.file, content = api.store.to_json()] {
            auto written = write_pairing_file(path, json_text(content, 2) + "\n");
            return written ? std::string() : written.error();
        },
        [&api, generation = api.store.generation(),
         done = std::move(done)](Result<std::string, std::string> result) {
            std::string error = result ? *result : result.error();
            if (error.empty()) api.store.mark_saved(generation);
            if (!error.empty() && api.log) api.log("pairing: " + error);
            done(std::move(error));
        });
}

Reply issue(const PairingApi& api, const json& r) {
    auto role_text = optional_string(r, "role");
    if (!role_text) return Unexpected{role_text.error()};
    const auto role = parse_pair_role(role_text->value_or("runner"));
    if (!role) return fail(ErrorCode::bad_value, "'role' must be 'runner' or 'viewer'");
    const IssuedPin pin = api.store.issue(*role, api.now());
    return json{
        {"pin", pin.pin},
        {"role", to_string(pin.role)},
        {"expires_s", std::chrono::duration_cast<std::chrono::seconds>(pin.valid_for).count()}};
}

void redeem(const PairingApi& api, const json& r, const Respond& respond) {
    auto pin = required_string(r, "pin");
    auto device = optional_string(r, "device");
    if (!pin) return respond(Unexpected{pin.error()});
    if (!device) return respond(Unexpected{device.error()});
    auto redeemed =
        api.store.redeem(*pin, device->value_or(""), api.now(), format_rfc3339_utc(api.wall()));
    if (!redeemed) {
        const auto& e = redeemed.error();
        return respond(fail(e.bad_label ? ErrorCode::bad_value : ErrorCode::refused, e.message));
    }
    save(api, [&api, respond, paired = std::move(*redeemed)](std::string error) {
        if (!error.empty()) {  // a token that would not survive a restart is not handed out
            api.store.forget(paired.device_id);
            // A later write may have taken the device along: write again without it.
            save(api, [](std::string) {});
            return respond(fail(ErrorCode::internal, "cannot save the pairing: " + error));
        }
        respond(json{{"token", paired.token},
                     {"device_id", paired.device_id},
                     {"role", to_string(paired.role)}});
    });
}

Reply check(const PairingApi& api, const json& r) {
    auto token = required_string(r, "token");
    if (!token) return Unexpected{token.error()};
    const auto device = api.store.check(*token);
    if (!device) return fail(ErrorCode::refused, "unknown or revoked token");
    return json{{"device_id", device->device_id},
                {"device", device->device},
                {"role", to_string(device->role)}};
}

Reply list(const PairingApi& api) {
    json devices = json::array();
    for (const auto& d : api.store.devices()) {
        devices.push_back({{"device_id", d.device_id},
                           {"device", d.device},
                           {"role", to_string(d.role)},
                           {"paired_utc", d.paired_utc}});
    }
    return json{{"devices", std::move(devices)}};
}

void revoke(const PairingApi& api, const json& r, const Respond& respond) {
    auto id = required_string(r, "device_id");
    if (!id) return respond(Unexpected{id.error()});
    if (!api.store.revoke(*id))
        return respond(fail(ErrorCode::bad_value, "no paired device '" + *id + "'"));
    save(api, [respond](std::string error) {
        if (!error.empty())
            return respond(fail(ErrorCode::internal,
                                "revoked until the daemon restarts, but the pairing file could "
                                "not be written: " +
                                    error));
        respond(json::object());
    });
}

}  // namespace

std::string save_pairing_now(const PairingApi& api) {
    if (api.file.empty() || !api.store.unsaved()) return "";
    auto written = write_pairing_file(api.file, json_text(api.store.to_json(), 2) + "\n");
    if (!written) return written.error();
    api.store.mark_saved(api.store.generation());
    return "";
}

void add_pairing_commands(CommandTable& table, const PairingApi& api) {
    table.add("pair_issue", [&api](const json& r) { return issue(api, r); });
    table.add_deferred("pair_redeem",
                       [&api](const json& r, Respond respond) { redeem(api, r, respond); });
    table.add("pair_check", [&api](const json& r) { return check(api, r); });
    table.add("pair_list", [&api](const json&) { return list(api); });
    table.add_deferred("pair_revoke",
                       [&api](const json& r, Respond respond) { revoke(api, r, respond); });
}

}  // namespace treadmill::api
