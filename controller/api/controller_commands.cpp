#include "controller/api/controller_commands.hpp"

#include "controller/api/status_json.hpp"
#include "programs/quantity.hpp"
#include "programs/timeline_render.hpp"
#include "sim/embedded_simulator.hpp"

namespace treadmill::api {

namespace {

using controller::CommandResult;

Reply from_result(const CommandResult& r) {
    if (r.ok) return r.value ? json{{"value", *r.value}} : json::object();
    return fail(r.code == "bad_value" ? ErrorCode::bad_value : ErrorCode::refused, r.message);
}

// {"5k":"4:10/km"} → map; anything else → bad_request.
Result<std::map<std::string, std::string>, ApiError> read_paces(const json& request) {
    std::map<std::string, std::string> paces;
    const auto it = request.find("pace");
    if (it == request.end() || it->is_null()) return paces;
    if (!it->is_object())
        return Unexpected{ApiError{ErrorCode::bad_request, "'pace' must be an object"}};
    for (const auto& [name, value] : it->items()) {
        if (!value.is_string())
            return Unexpected{
                ApiError{ErrorCode::bad_request, "pace '" + name + "' must be a string"}};
        paces[name] = value.get<std::string>();
    }
    return paces;
}

Result<programs::LoadResult, ApiError> load_requested(const ControllerApi& api, const json& r) {
    auto program = optional_string(r, "program");
    auto yaml = optional_string(r, "yaml");
    auto paces = read_paces(r);
    if (!program) return Unexpected{program.error()};
    if (!yaml) return Unexpected{yaml.error()};
    if (!paces) return Unexpected{paces.error()};
    if (program->has_value() == yaml->has_value())
        return Unexpected{
            ApiError{ErrorCode::bad_request, "give exactly one of 'program', 'yaml'"}};
    return program->has_value() ? api.catalog.load(**program, *paces)
                                : api.catalog.load_text(**yaml, *paces);
}

Reply start(const ControllerApi& api, const json& r) {
    auto loaded = load_requested(api, r);
    if (!loaded) return Unexpected{loaded.error()};
    if (!loaded->timeline) return fail(ErrorCode::bad_value, error_text(loaded->diagnostics));
    return from_result(api.cycle.start(std::move(*loaded->timeline), api.now()));
}

Reply show(const ControllerApi& api, const json& r) {
    auto loaded = load_requested(api, r);
    if (!loaded) return Unexpected{loaded.error()};
    if (!loaded->timeline) return fail(ErrorCode::bad_value, error_text(loaded->diagnostics));
    return json{{"program", json::parse(programs::render_json(*loaded->timeline, -1))}};
}

// {"value":"12 km/h"} or {"delta":"+0.5 km/h"}.
Reply speed(const ControllerApi& api, const json& r) {
    auto value = optional_string(r, "value");
    auto delta = optional_string(r, "delta");
    if (!value) return Unexpected{value.error()};
    if (!delta) return Unexpected{delta.error()};
    if (value->has_value() == delta->has_value())
        return fail(ErrorCode::bad_request, "give exactly one of 'value', 'delta'");
    if (value->has_value()) {
        const auto kmh = programs::parse_speed_kmh(**value);
        if (!kmh) return fail(ErrorCode::bad_value, kmh.error());
        return from_result(api.cycle.speed(*kmh, api.now()));
    }
    std::string text = **delta;
    const bool negative = !text.empty() && text.front() == '-';
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.erase(0, 1);
    if (text.find(':') != std::string::npos)  // a pace is no change of speed
        return fail(ErrorCode::bad_value, "a delta is a speed like '+0.5 km/h'");
    const auto kmh = programs::parse_speed_kmh(text);
    if (!kmh) return fail(ErrorCode::bad_value, kmh.error());
    return from_result(api.cycle.speed_delta(negative ? -*kmh : *kmh, api.now()));
}

Reply incline(const ControllerApi& api, const json& r) {
    auto value = required_string(r, "value");
    if (!value) return Unexpected{value.error()};
    const auto pct = programs::parse_incline_pct(*value);
    if (!pct) return fail(ErrorCode::bad_value, pct.error());
    return from_result(api.cycle.incline(*pct, api.now()));
}

Reply simulator(const ControllerApi& api, const json& r) {
    if (api.simulator == nullptr) return fail(ErrorCode::refused, "no embedded simulator runs");
    const auto command = r.find("command");
    if (command == r.end() || !command->is_object())
        return fail(ErrorCode::bad_request, "'command' must be a simulator-control object");
    return json{{"sim", api.simulator->control(*command)}};
}

// A command that takes no arguments besides the time.
CommandTable::Handler simple(const ControllerApi& api,
                             CommandResult (controller::ControlCycle::*command)(TimePoint)) {
    return [&api, command](const json&) { return from_result((api.cycle.*command)(api.now())); };
}

}  // namespace

json current_status(const ControllerApi& api) {
    const TimePoint now = api.now();
    json status = encode_status(api.cycle.status(now), now, std::chrono::system_clock::now());
    status["loop"] = api.loop ? api.loop() : json(nullptr);
    return status;
}

CommandTable make_controller_commands(const ControllerApi& api) {
    using controller::ControlCycle;
    CommandTable table;
    table.add("status", [&api](const json&) {
        return Reply(json{{"status", current_status(api)}});
    });
    table.add("programs", [&api](const json&) {
        return Reply(json{{"programs", api.catalog.list()}});
    });
    table.add("show", [&api](const json& r) { return show(api, r); });
    table.add("start", [&api](const json& r) { return start(api, r); });
    table.add("pause", simple(api, &ControlCycle::pause));
    table.add("resume", simple(api, &ControlCycle::resume));
    table.add("stop", simple(api, &ControlCycle::stop));
    table.add("skip", simple(api, &ControlCycle::skip));
    table.add("estop", simple(api, &ControlCycle::estop));
    table.add("reset", simple(api, &ControlCycle::reset));
    table.add("speed", [&api](const json& r) { return speed(api, r); });
    table.add("incline", [&api](const json& r) { return incline(api, r); });
    table.add("sim", [&api](const json& r) { return simulator(api, r); });
    table.set_status([&api] { return current_status(api); });
    return table;
}

}  // namespace treadmill::api
