# Tests of treadmillctl (label unit): its argument parser (doctest), then CTest cases running
# the binary. include()d from ../CMakeLists.txt.
add_executable(treadmillctl_tests tests/cli_args_tests.cpp)
target_link_libraries(treadmillctl_tests PRIVATE treadmillctl_core treadmill_doctest_main)
add_test(NAME treadmillctl_tests COMMAND treadmillctl_tests)
set_tests_properties(treadmillctl_tests PROPERTIES LABELS unit)

set(TREADMILLCTL_CASE ${CMAKE_CURRENT_SOURCE_DIR}/tests/run_case.cmake)
set(TREADMILLCTL_FIXTURES ${CMAKE_CURRENT_SOURCE_DIR}/tests)
file(GLOB TREADMILLCTL_LIBRARY ${PROJECT_SOURCE_DIR}/programs/library/*.yaml)
list(SORT TREADMILLCTL_LIBRARY)
string(REPLACE ";" "|" TREADMILLCTL_LIBRARY_ARGS "${TREADMILLCTL_LIBRARY}")

# treadmillctl_case(NAME ARGS a|b EXIT n [MATCH re;;re] [NO_MATCH re] [STDOUT_JSON]
#                   [FILE path FILE_MATCH re])
function(treadmillctl_case name)
  cmake_parse_arguments(C "STDOUT_JSON" "ARGS;EXIT;MATCH;NO_MATCH;FILE;FILE_MATCH" "" ${ARGN})
  add_test(NAME treadmillctl_${name}
           COMMAND ${CMAKE_COMMAND} -DCTL=$<TARGET_FILE:treadmillctl> "-DARGS=${C_ARGS}"
                   -DEXIT=${C_EXIT} "-DMATCH=${C_MATCH}" "-DNO_MATCH=${C_NO_MATCH}"
                   -DSTDOUT_JSON=${C_STDOUT_JSON} "-DFILE=${C_FILE}" "-DFILE_MATCH=${C_FILE_MATCH}"
                   -P ${TREADMILLCTL_CASE})
  set_tests_properties(treadmillctl_${name} PROPERTIES LABELS unit)
endfunction()

treadmillctl_case(validate_builtins ARGS "validate|${TREADMILLCTL_LIBRARY_ARGS}" EXIT 0
  MATCH "8x400m.yaml: ok;;gerkin.yaml: ok;;fartlek-random.yaml: ok" NO_MATCH ": error: ")
treadmillctl_case(validate_bad ARGS "validate|${TREADMILLCTL_FIXTURES}/bad.yaml" EXIT 1
  MATCH "bad.yaml:5:[0-9]+: error: ;;bad.yaml:8:[0-9]+: error: [^\n]*pace;;bad.yaml:11:[0-9]+: error: ")
treadmillctl_case(validate_json_after ARGS "validate|${TREADMILLCTL_FIXTURES}/bad.yaml|--json"
  EXIT 1 MATCH "\"ok\": false;;\"severity\": \"error\"")
treadmillctl_case(validate_missing_file ARGS "validate|/nonexistent/x.yaml" EXIT 1
  MATCH "/nonexistent/x.yaml: error: ")
treadmillctl_case(usage_no_command ARGS "" EXIT 2 MATCH "usage: treadmillctl")
treadmillctl_case(usage_unknown_command ARGS "frobnicate" EXIT 2 MATCH "unknown command")
treadmillctl_case(usage_validate_no_file ARGS "validate" EXIT 2 MATCH "needs at least one FILE")
treadmillctl_case(usage_show_bad_pace ARGS "show|8x400m|--pace|5k" EXIT 2 MATCH "NAME=VALUE")
treadmillctl_case(usage_unknown_option ARGS "show|8x400m|--colour" EXIT 2
  MATCH "unknown option --colour")
treadmillctl_case(help ARGS "--help" EXIT 0 MATCH "programs;;show;;validate")
treadmillctl_case(programs ARGS "programs" EXIT 0
  MATCH "bruce +Bruce protocol +21:00;;gerkin +Gerkin protocol +14:00;;balke +Balke")
treadmillctl_case(programs_dir ARGS "--programs-dir|${TREADMILLCTL_FIXTURES}/custom|programs" EXIT 0
  MATCH "my-hills +My hills;;8x400m +8 x 400 m, my way;;custom/8x400m.yaml" NO_MATCH "8 x 400 m @ 5K")
treadmillctl_case(programs_json ARGS "programs|--json" EXIT 0 STDOUT_JSON
  MATCH "\"id\": \"modified-bruce\"[^}]*\"total_s\": 1620")
treadmillctl_case(show_table ARGS "show|8x400m" EXIT 0
  MATCH "8 x 400 m @ 5K;;km/h;;min/km;;total: 46:30")
treadmillctl_case(show_json ARGS "--json|show|bruce|--socket|/tmp/unused.sock" EXIT 0 STDOUT_JSON
  MATCH "\"total_s\": 1260.0;;\"incline_pct\": 22.0;;\"rep\": 7")
treadmillctl_case(show_json_after ARGS "show|gerkin|--json" EXIT 0 STDOUT_JSON
  MATCH "\"total_s\": 840.0")
treadmillctl_case(show_pace_override ARGS "show|8x400m|--pace|5k=4:00/km|--json" EXIT 0
  MATCH "\"speed_kmh\": 15.0")
treadmillctl_case(show_seed ARGS "show|fartlek-random|--seed|77|--json" EXIT 0
  MATCH "\"seeds\": \\[[^]]*\"77\"")
treadmillctl_case(show_file ARGS "show|${TREADMILLCTL_FIXTURES}/custom/my-hills.yaml" EXIT 0
  MATCH "My hills \\(my-hills\\);;Hill 4/4")
treadmillctl_case(show_unknown ARGS "show|8x40m" EXIT 1 MATCH "did you mean '8x400m'")
treadmillctl_case(show_bad_file ARGS "show|${TREADMILLCTL_FIXTURES}/bad.yaml" EXIT 1
  MATCH "bad.yaml:[0-9]+:[0-9]+: error: ")
treadmillctl_case(show_svg ARGS "show|hill-ladder|--svg|${CMAKE_CURRENT_BINARY_DIR}/hill-ladder.svg"
  EXIT 0 FILE ${CMAKE_CURRENT_BINARY_DIR}/hill-ladder.svg FILE_MATCH "<svg .*Time \\(min\\).*</svg>")
# A program saved in Latin-1: refused at its bad byte, and never sent to the daemon.
treadmillctl_case(validate_latin1 ARGS "validate|${TREADMILLCTL_FIXTURES}/latin1.yaml" EXIT 1
  MATCH "latin1.yaml:2:8: error: invalid UTF-8 \\(byte 0xFC\\)")
treadmillctl_case(show_latin1 ARGS "show|${TREADMILLCTL_FIXTURES}/latin1.yaml" EXIT 1
  MATCH "latin1.yaml:2:8: error: invalid UTF-8")
treadmillctl_case(start_latin1
  ARGS "--socket|/nonexistent/treadmilld.sock|start|${TREADMILLCTL_FIXTURES}/latin1.yaml" EXIT 2
  MATCH "latin1.yaml:2:8: error: invalid UTF-8" NO_MATCH "connect")
# The history commands' own usage errors (no daemon needed) and the help listing them.
treadmillctl_case(usage_history_bad_id ARGS "history|show|x7" EXIT 2 MATCH "'x7' is not a session id")
treadmillctl_case(usage_history_bad_sub ARGS "history|list" EXIT 2 MATCH "usage: history")
treadmillctl_case(usage_bests_extra ARGS "bests|mile" EXIT 2 MATCH "no arguments expected")
treadmillctl_case(history_no_daemon ARGS "--socket|/nonexistent/x.sock|history" EXIT 1
  MATCH "treadmillctl: ")
treadmillctl_case(help_history ARGS "--help" EXIT 0 MATCH "history \\[show ID\\];;bests \\[--all\\]")
treadmillctl_case(usage_progress_extra ARGS "progress|weekly" EXIT 2 MATCH "no arguments expected")
treadmillctl_case(usage_progress_svg_no_file ARGS "progress|--svg" EXIT 2 MATCH "--svg")
