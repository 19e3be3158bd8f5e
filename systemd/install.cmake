# Installed with treadmilld (included from controller/daemon/CMakeLists.txt): the systemd unit,
# the default configuration, the polkit rule for the sleep inhibitor and the udev rule example.
install(FILES ${CMAKE_CURRENT_LIST_DIR}/treadmilld.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/treadmilld.yaml DESTINATION /etc/treadmilld)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/50-treadmilld.rules DESTINATION /etc/polkit-1/rules.d)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/99-treadmill-rs485.rules
        DESTINATION share/doc/treadmilld/examples)
