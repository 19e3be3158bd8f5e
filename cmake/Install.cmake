# What `cmake --install` lays out (and the .deb holds): the programs, the systemd unit and the
# files beside it (systemd/install.cmake), the man pages, bash completion and the docs. The
# program library installs itself (programs/library/CMakeLists.txt).
include(GNUInstallDirs)

# The one list of installed programs, TARGET:DIR. A target that does not exist (yet) is skipped,
# so a new program needs only its line here and its man page in man/.
set(TREADMILL_INSTALLED_PROGRAMS
    treadmilld:sbin
    treadmillctl:bin
    treadmill-sim:bin
    treadmill-console:bin
    treadmill-history:bin
    treadmill-mqtt:bin)

foreach(entry IN LISTS TREADMILL_INSTALLED_PROGRAMS)
  string(REPLACE ":" ";" parts "${entry}")
  list(GET parts 0 target)
  list(GET parts 1 kind)
  if(TARGET ${target})
    string(TOUPPER "${kind}" kind)
    install(TARGETS ${target} RUNTIME DESTINATION ${CMAKE_INSTALL_${kind}DIR})
  endif()
endforeach()

include(${PROJECT_SOURCE_DIR}/systemd/install.cmake)

# Man pages: every man/NAME.SECTION, @VERSION@ filled in, gzipped (Debian wants them compressed).
file(GLOB TREADMILL_MAN_PAGES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/man/*.[1-8])
set(TREADMILL_MAN_OUTPUTS)
foreach(page IN LISTS TREADMILL_MAN_PAGES)
  get_filename_component(name ${page} NAME)
  string(REGEX REPLACE ".*\\.([1-8])$" "\\1" section ${name})
  set(out ${CMAKE_BINARY_DIR}/man/${name}.gz)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${page} -DOUT=${out} -DVERSION=${PROJECT_VERSION}
            -P ${PROJECT_SOURCE_DIR}/cmake/man_page.cmake
    DEPENDS ${page} ${PROJECT_SOURCE_DIR}/cmake/man_page.cmake
    VERBATIM)
  list(APPEND TREADMILL_MAN_OUTPUTS ${out})
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
add_custom_target(treadmill_man_pages ALL DEPENDS ${TREADMILL_MAN_OUTPUTS})
# Building only the programs (TARGETS=...) still leaves a tree that cmake --install can lay out.
foreach(entry IN LISTS TREADMILL_INSTALLED_PROGRAMS)
  string(REGEX REPLACE ":.*" "" target "${entry}")
  if(TARGET ${target})
    add_dependencies(${target} treadmill_man_pages)
  endif()
endforeach()

install(FILES ${PROJECT_SOURCE_DIR}/completions/treadmillctl.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME treadmillctl)

file(GLOB TREADMILL_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${TREADMILL_DOCS} ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The Prometheus and Grafana examples of docs/fleet.md.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
