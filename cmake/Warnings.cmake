# Project-wide warnings, errors in CI (-DTREADMILL_WERROR=ON), optional sanitizers.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wconversion)
if(TREADMILL_WERROR)
  add_compile_options(-Werror)
endif()
if(TREADMILL_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()
# Boost.Asio 1.74 with g++ 12 in C++20 needs <utility> before any Asio header (TOOLCHAIN.md).
add_compile_options(-include utility)
# g++ 12 at -O3 reports a -Wrestrict overlap inside libstdc++'s own std::string operator+
# (GCC bug 105651, fixed in 13): a false positive in a system header, so it is off for g++ 12.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  add_compile_options(-Wno-restrict)
endif()
