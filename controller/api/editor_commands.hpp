// The workout editor's commands (docs/api.md, "Editor and session"): `validate {yaml}` lists a
// program's errors and warnings with their places; `save_program {program,yaml,overwrite}`
// writes it into programs.user_dir as ID.yaml (the id is in `program`, as for `start`: `id` is
// every request's own integer). Both parse (and save_program writes) on the API's worker,
// never on the control loop's thread.
#pragma once

#include <string>

#include "controller/api/dispatcher.hpp"
#include "controller/api/program_catalog.hpp"

namespace treadmill::api {

class OffLoopWorker;

// The largest program text validate and save_program take.
inline constexpr std::size_t kMaxEditorYamlBytes = 64 * 1024;

struct EditorApi {
    const ProgramCatalog& catalog;  // searches user_dir first
    std::string user_dir;           // where save_program writes (made on the first save)
    OffLoopWorker* worker = nullptr;
};

// Adds validate and save_program to `table`; `api` must outlive it.
void add_editor_commands(CommandTable& table, const EditorApi& api);

// True for an id save_program accepts: [a-z0-9-]{1,64}.
bool valid_program_id(const std::string& id);

}  // namespace treadmill::api
