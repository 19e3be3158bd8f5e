// The page's files, embedded in the binary at build time (console/embed_assets.cmake) and found
// by exact path: no file system, so no path traversal.
#pragma once

#include <span>
#include <string_view>

namespace treadmill::console {

struct Asset {
    std::string_view path;          // "/index.html"
    std::string_view content_type;  // "text/html; charset=utf-8"
    std::string_view etag;          // quoted, e.g. "\"0123456789abcdef\""
    std::string_view body;
};

// Every embedded file (generated).
std::span<const Asset> embedded_assets();

// The asset served for a request target: "/" is "/index.html"; a query string is ignored;
// nullptr when no asset has exactly that path.
const Asset* find_asset(std::string_view target);

}  // namespace treadmill::console
