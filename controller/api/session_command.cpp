#include "controller/api/session_command.hpp"

#include "controller/api/off_loop_worker.hpp"
#include "programs/timeline_render.hpp"

namespace treadmill::api {

namespace {

void session(const SessionApi& api, const Respond& respond) {
    auto program = api.tracker.program();
    if (!program) return respond(json{{"session", nullptr}});
    run_off_loop(
        api.worker,
        [program = std::move(program), fields = api.tracker.to_json()]() mutable -> Reply {
            fields["program"] = json::parse(programs::render_json(*program, -1));
            return serialized_fields(json{{"session", std::move(fields)}});
        },
        [respond](Result<Reply, std::string> reply) {
            respond(reply ? std::move(*reply) : fail(ErrorCode::internal, reply.error()));
        });
}

}  // namespace

void add_session_command(CommandTable& table, const SessionApi& api) {
    table.add_deferred("session", [&api](const json&, Respond respond) { session(api, respond); });
}

}  // namespace treadmill::api
