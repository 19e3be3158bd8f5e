#include "controller/api/editor_commands.hpp"

#include <filesystem>

#include "common/atomic_file.hpp"
#include "controller/api/off_loop_worker.hpp"

namespace treadmill::api {

namespace {

using programs::Diagnostic;

json diagnostics_json(const programs::Diagnostics& diagnostics) {
    json list = json::array();
    for (const auto& d : diagnostics) {
        list.push_back(
            {{"severity", d.severity == Diagnostic::Severity::error ? "error" : "warning"},
             {"line", d.line},
             {"col", d.column},
             {"message", d.message}});
    }
    return list;
}

std::optional<ApiError> too_big(const std::string& yaml) {
    if (yaml.size() <= kMaxEditorYamlBytes) return std::nullopt;
    return ApiError{ErrorCode::bad_value, "the program is larger than 64 KiB (" +
                                              std::to_string(yaml.size()) + " bytes)"};
}

void validate(const EditorApi& api, const json& r, const Respond& respond) {
    auto yaml = required_string(r, "yaml");
    if (!yaml) return respond(Unexpected{yaml.error()});
    if (auto error = too_big(*yaml)) return respond(Unexpected{*error});
    run_off_loop(
        api.worker,
        [&catalog = api.catalog, yaml = std::move(*yaml)] {
            const auto diagnostics = catalog.check_text(yaml, "program.yaml");
            return json{{"valid", !programs::has_errors(diagnostics)},
                        {"diagnostics", diagnostics_json(diagnostics)}};
        },
        [respond](Result<json, std::string> reply) {
            respond(reply ? Reply(std::move(*reply)) : fail(ErrorCode::internal, reply.error()));
        });
}

// Writes `text` to dir/ID.yaml, atomically.
Result<Done, std::string> write_program(const std::string& dir, const std::string& id,
                                        const std::string& text) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Unexpected{"cannot create " + dir + ": " + ec.message()};
    return write_file_atomically(dir + "/" + id + ".yaml", text, 0644);
}

// The whole of save_program after its arguments were read (on the worker).
Reply save(const EditorApi& api, const std::string& id, const std::string& yaml, bool overwrite) {
    const auto diagnostics = api.catalog.check_text(yaml, id + ".yaml");
    for (const auto& d : diagnostics) {
        if (d.severity == Diagnostic::Severity::error)
            return fail(ErrorCode::bad_value, "the program has errors: " + d.to_string());
    }
    const std::string path = api.user_dir + "/" + id + ".yaml";
    std::error_code ec;
    if (!overwrite && std::filesystem::exists(path, ec))
        return fail(ErrorCode::refused, "a program called '" + id +
                                            "' exists already; save with overwrite to replace it");
    const auto source = api.catalog.source_of(id);
    if (!overwrite && source)
        return fail(ErrorCode::refused,
                    "'" + id + "' is the id of " +
                        (*source == "builtin" ? std::string("a built-in program")
                                              : "the program in " + *source) +
                        "; save with overwrite to use yours instead");
    const auto written = write_program(api.user_dir, id, yaml);
    if (!written) return fail(ErrorCode::internal, "cannot save the program: " + written.error());
    return json{{"program", id}, {"path", path}};
}

void save_program(const EditorApi& api, const json& r, const Respond& respond) {
    auto id = required_string(r, "program");  // "id" is the request's own (an integer)
    auto yaml = required_string(r, "yaml");
    if (!id) return respond(Unexpected{id.error()});
    if (!yaml) return respond(Unexpected{yaml.error()});
    const auto overwrite = r.find("overwrite");
    if (overwrite != r.end() && !overwrite->is_null() && !overwrite->is_boolean())
        return respond(fail(ErrorCode::bad_request, "'overwrite' must be true or false"));
    if (!valid_program_id(*id))
        return respond(fail(ErrorCode::bad_value,
                            "a program id is 1 to 64 of a-z, 0-9 and '-' (got '" + *id + "')"));
    if (auto error = too_big(*yaml)) return respond(Unexpected{*error});
    const bool replace = overwrite != r.end() && overwrite->is_boolean() && overwrite->get<bool>();
    run_off_loop(
        api.worker,
        [&api, id = std::move(*id), yaml = std::move(*yaml), replace] {
            return save(api, id, yaml, replace);
        },
        [respond](Result<Reply, std::string> reply) {
            respond(reply ? std::move(*reply) : fail(ErrorCode::internal, reply.error()));
        });
}

}  // namespace

bool valid_program_id(const std::string& id) {
    if (id.empty() || id.size() > 64) return false;
    for (const char c : id) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    return true;
}

void add_editor_commands(CommandTable& table, const EditorApi& api) {
    table.add_deferred("validate",
                       [&api](const json& r, Respond respond) { validate(api, r, respond); });
    table.add_deferred("save_program",
                       [&api](const json& r, Respond respond) { save_program(api, r, respond); });
}

}  // namespace treadmill::api
