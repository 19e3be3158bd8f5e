# Installed with treadmilld (included from cmake/Install.cmake): the systemd units (the daemon, the
# console, the MQTT bridge), each generated at
# install time with the install prefix's paths (the .deb installs with the prefix /usr), the
# default configuration, the polkit rule for the sleep inhibitor and the udev rule example.
foreach(unit treadmilld treadmill-console treadmill-mqtt)
  install(CODE "
    set(TREADMILL_UNIT_IN \"${CMAKE_CURRENT_LIST_DIR}/${unit}.service.in\")
    set(TREADMILL_UNIT_OUT \"${CMAKE_BINARY_DIR}/systemd/${unit}.service\")
    set(TREADMILL_SBINDIR_REL \"${CMAKE_INSTALL_SBINDIR}\")
    set(TREADMILL_BINDIR_REL \"${CMAKE_INSTALL_BINDIR}\")
    set(TREADMILL_DOCDIR_REL \"${CMAKE_INSTALL_DOCDIR}\")
    include(\"${CMAKE_CURRENT_LIST_DIR}/install_unit.cmake\")")
endforeach()
install(FILES ${CMAKE_CURRENT_LIST_DIR}/treadmilld.yaml ${CMAKE_CURRENT_LIST_DIR}/console.yaml
              ${CMAKE_CURRENT_LIST_DIR}/mqtt.yaml
        DESTINATION /etc/treadmilld)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/50-treadmilld.rules DESTINATION /etc/polkit-1/rules.d)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/99-treadmill-rs485.rules
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
