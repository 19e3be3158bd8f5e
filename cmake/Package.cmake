# `cpack -G DEB` in the build folder: the .deb of everything cmake --install lays out, under the
# prefix /usr (so the unit's ExecStart is /usr/sbin/treadmilld), with Depends from
# dpkg-shlibdeps, /etc files as conffiles, and maintainer scripts (packaging/deb/) that create
# the `treadmill` user and enable the unit without starting it.
set(TREADMILL_DEB_DIR ${PROJECT_SOURCE_DIR}/packaging/deb)

# Debian's per-package documents; harmless in any other install.
set(TREADMILL_CHANGELOG_GZ ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(
  OUTPUT ${TREADMILL_CHANGELOG_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND sh -c "gzip -9nc '${TREADMILL_DEB_DIR}/changelog' > '${TREADMILL_CHANGELOG_GZ}'"
  DEPENDS ${TREADMILL_DEB_DIR}/changelog
  VERBATIM)
add_custom_target(treadmill_changelog ALL DEPENDS ${TREADMILL_CHANGELOG_GZ})
if(TARGET treadmilld)
  add_dependencies(treadmilld treadmill_changelog)
endif()
install(FILES ${TREADMILL_CHANGELOG_GZ} ${TREADMILL_DEB_DIR}/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME treadmilld)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the treadmilld developers")
set(CPACK_PACKAGE_CONTACT "treadmilld developers <treadmilld@lists.example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "treadmill controller daemon for Modbus motor drives")
set(CPACK_PACKAGE_DESCRIPTION
    "treadmilld runs a gym treadmill from Linux: it talks Modbus RTU or TCP to\n"
    "the motor drive and the incline board, runs YAML workout programs and stops\n"
    "the belt whenever anything goes wrong. The package holds the daemon, its\n"
    "systemd unit, treadmillctl, the treadmill-sim board simulator, a default\n"
    "configuration and a program library.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)  # /etc and /lib/systemd/system are absolute destinations
set(CPACK_INSTALL_PREFIX /usr)  # the prefix installed to under DESTDIR
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/treadmilld/treadmilld")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
# adduser and deb-systemd-helper for postinst; the rest comes from dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.54~)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${TREADMILL_DEB_DIR}/conffiles ${TREADMILL_DEB_DIR}/postinst ${TREADMILL_DEB_DIR}/prerm
    ${TREADMILL_DEB_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
