#include "controller/api/controller_commands.hpp"

#include <memory>
#include <optional>

#include "controller/api/off_loop_worker.hpp"
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

// What start and show were asked for: a program id or its text, and pace overrides.
struct ProgramRequest {
    std::optional<std::string> program;
    std::optional<std::string> yaml;
    std::map<std::string, std::string> paces;
};

// The request's arguments (cheap: the loop thread checks them before any work is queued).
Result<ProgramRequest, ApiError> read_program_request(const json& r) {
    auto program = optional_string(r, "program");
    auto yaml = optional_string(r, "yaml");
    auto paces = read_paces(r);
    if (!program) return Unexpected{program.error()};
    if (!yaml) return Unexpected{yaml.error()};
    if (!paces) return Unexpected{paces.error()};
    if (program->has_value() == yaml->has_value())
        return Unexpected{
            ApiError{ErrorCode::bad_request, "give exactly one of 'program', 'yaml'"}};
    return ProgramRequest{std::move(*program), std::move(*yaml), std::move(*paces)};
}

// Reads and expands the program (the heavy part: runs on the worker when there is one).
programs::LoadResult load_program(const ProgramCatalog& catalog, const ProgramRequest& request) {
    return request.program ? catalog.load(*request.program, request.paces)
                           : catalog.load_text(*request.yaml, request.paces);
}

// Runs `work` on the API's worker (or here and now without one), then `done` on the loop thread.
template <class Work, class Done>
void off_loop(const ControllerApi& api, Work work, Done done) {
    run_off_loop(api.worker, std::move(work), std::move(done));
}

// A failure of the worker's job (an exception) as the reply.
ApiError internal_error(const std::string& what) {
    return ApiError{ErrorCode::internal, what};
}

// Commands that stop or hold the belt count here: a start still being read when one of them
// arrives is not applied afterwards (the later command wins, as if the start had come first).
struct Interruptions {
    std::uint64_t count = 0;
};

void start(const ControllerApi& api, const std::shared_ptr<Interruptions>& interruptions,
           const json& r, const Respond& respond) {
    auto request = read_program_request(r);
    if (!request) return respond(Unexpected{request.error()});
    const std::uint64_t asked_at = interruptions->count;
    off_loop(
        api,
        [&catalog = api.catalog, request = std::move(*request)] {
            return load_program(catalog, request);
        },
        [&api, interruptions, asked_at, respond](Result<programs::LoadResult, std::string> loaded) {
            if (!loaded) return respond(Unexpected{internal_error(loaded.error())});
            if (!loaded->timeline)
                return respond(fail(ErrorCode::bad_value, error_text(loaded->diagnostics)));
            if (interruptions->count != asked_at)
                return respond(fail(ErrorCode::refused,
                                    "not started: a stop, pause, estop or reset came while the "
                                    "program was being read"));
            respond(from_result(api.cycle.start(std::move(*loaded->timeline), api.now())));
        });
}

void show(const ControllerApi& api, const json& r, const Respond& respond) {
    auto request = read_program_request(r);
    if (!request) return respond(Unexpected{request.error()});
    off_loop(
        api,
        [&catalog = api.catalog, request = std::move(*request)]() -> Reply {
            const auto loaded = load_program(catalog, request);
            if (!loaded.timeline) return fail(ErrorCode::bad_value, error_text(loaded.diagnostics));
            json fields;
            fields["program"] = json::parse(programs::render_json(*loaded.timeline, -1));
            return serialized_fields(fields);  // a large reply: serialised here, off the loop
        },
        [respond](Result<Reply, std::string> reply) {
            respond(reply ? std::move(*reply) : Unexpected{internal_error(reply.error())});
        });
}

void list_programs(const ControllerApi& api, const Respond& respond) {
    off_loop(
        api, [&catalog = api.catalog] { return catalog.list(); },
        [respond](Result<json, std::string> list) {
            if (!list) return respond(Unexpected{internal_error(list.error())});
            respond(json{{"programs", std::move(*list)}});
        });
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

// The same, for a command that interrupts a start still being read.
CommandTable::Handler interrupting(const ControllerApi& api,
                                   const std::shared_ptr<Interruptions>& interruptions,
                                   CommandResult (controller::ControlCycle::*command)(TimePoint)) {
    return [&api, interruptions, command](const json&) {
        ++interruptions->count;
        return from_result((api.cycle.*command)(api.now()));
    };
}

}  // namespace

json current_status(const ControllerApi& api) {
    const TimePoint now = api.now();
    json status = encode_status(api.cycle.status(now), now, std::chrono::system_clock::now());
    status["loop"] = api.loop ? api.loop() : json(nullptr);
    status["units"] = api.catalog.units() == programs::Units::imperial ? "imperial" : "metric";
    status["history"] = api.history ? api.history() : json(nullptr);
    status["maintenance_due"] = api.maintenance_due ? api.maintenance_due() : json::array();
    status["api"] = api.api_timing ? api.api_timing() : json(nullptr);
    return status;
}

CommandTable make_controller_commands(const ControllerApi& api) {
    using controller::ControlCycle;
    CommandTable table;
    auto interruptions = std::make_shared<Interruptions>();
    table.add("status", [&api](const json&) {
        return Reply(json{{"status", current_status(api)}});
    });
    table.add_deferred("programs",
                       [&api](const json&, Respond respond) { list_programs(api, respond); });
    table.add_deferred("show", [&api](const json& r, Respond respond) { show(api, r, respond); });
    table.add_deferred("start", [&api, interruptions](const json& r, Respond respond) {
        start(api, interruptions, r, respond);
    });
    table.add("pause", interrupting(api, interruptions, &ControlCycle::pause));
    table.add("resume", simple(api, &ControlCycle::resume));
    table.add("stop", interrupting(api, interruptions, &ControlCycle::stop));
    table.add("skip", simple(api, &ControlCycle::skip));
    table.add("estop", interrupting(api, interruptions, &ControlCycle::estop));
    table.add("reset", interrupting(api, interruptions, &ControlCycle::reset));
    table.add("speed", [&api](const json& r) { return speed(api, r); });
    table.add("incline", [&api](const json& r) { return incline(api, r); });
    table.add("sim", [&api](const json& r) { return simulator(api, r); });
    table.set_status([&api] { return current_status(api); });
    return table;
}

}  // namespace treadmill::api
