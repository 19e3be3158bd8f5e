# Runs at install time (cmake --install, cpack): writes a unit (NAME.service from NAME.service.in) with the paths of the
# prefix being installed to and installs it. Under the prefix /usr (the .deb) the unit goes to
# /lib/systemd/system, as Debian 12 wants; under any other prefix to PREFIX/lib/systemd/system
# (systemd also reads /usr/local/lib/systemd/system).
# In: TREADMILL_UNIT_IN, TREADMILL_UNIT_OUT, TREADMILL_{SBINDIR,BINDIR,DOCDIR}_REL.
foreach(dir SBINDIR BINDIR DOCDIR)
  if(IS_ABSOLUTE "${TREADMILL_${dir}_REL}")
    set(TREADMILL_${dir} "${TREADMILL_${dir}_REL}")
  else()
    set(TREADMILL_${dir} "${CMAKE_INSTALL_PREFIX}/${TREADMILL_${dir}_REL}")
  endif()
endforeach()
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(unit_dir /lib/systemd/system)
else()
  set(unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
configure_file("${TREADMILL_UNIT_IN}" "${TREADMILL_UNIT_OUT}" @ONLY)
file(INSTALL "${TREADMILL_UNIT_OUT}" DESTINATION "${unit_dir}"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
