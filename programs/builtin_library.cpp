#include "programs/builtin_library.hpp"

namespace treadmill::programs {

namespace detail {
// Defined in the source generated from programs/library/*.yaml (embed_programs.cmake).
extern const BuiltinProgram builtin_table[];
extern const std::size_t builtin_table_size;
}  // namespace detail

std::span<const BuiltinProgram> builtin_programs() {
    return {detail::builtin_table, detail::builtin_table_size};
}

const BuiltinProgram* find_builtin(std::string_view id) {
    for (const auto& program : builtin_programs())
        if (program.id == id) return &program;
    return nullptr;
}

}  // namespace treadmill::programs
