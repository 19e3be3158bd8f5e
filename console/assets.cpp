#include "console/assets.hpp"

namespace treadmill::console {

const Asset* find_asset(std::string_view target) {
    const auto query = target.find_first_of("?#");
    std::string_view path = target.substr(0, query);
    if (path == "/") path = "/index.html";
    for (const Asset& a : embedded_assets())
        if (a.path == path) return &a;
    return nullptr;
}

}  // namespace treadmill::console
