# Everything comes from Debian's packages (scripts/setup installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(MODBUS REQUIRED IMPORTED_TARGET libmodbus)
# sd-bus, for logind's sleep inhibitor while a session is active (libsystemd-dev).
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(doctest REQUIRED)
# libcrypto: SHA-256 of the console's pairing tokens (libssl-dev).
find_package(OpenSSL REQUIRED)

# Asio (header-only) plus threads, as one target.
add_library(treadmill_asio INTERFACE)
target_link_libraries(treadmill_asio INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(treadmill_asio INTERFACE BOOST_ASIO_NO_DEPRECATED)
