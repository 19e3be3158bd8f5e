#include "programs/profile_location.hpp"

#include <filesystem>
#include <system_error>

namespace treadmill::programs {

namespace {

bool exists(const std::string& path) {
    std::error_code ec;
    return !path.empty() && std::filesystem::exists(path, ec);
}

}  // namespace

bool ProfileLocation::reads_fallback() const {
    return !exists(path) && exists(fallback);
}

std::string ProfileLocation::to_read() const {
    return reads_fallback() ? fallback : path;
}

}  // namespace treadmill::programs
