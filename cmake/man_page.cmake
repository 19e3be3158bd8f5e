# Script: a man page with @VERSION@ filled in, gzipped reproducibly (no name, no time stamp).
# In: IN (the page), OUT (NAME.gz), VERSION.
cmake_minimum_required(VERSION 3.25)
get_filename_component(name "${IN}" NAME)
get_filename_component(dir "${OUT}" DIRECTORY)
file(READ "${IN}" text)
string(REPLACE "@VERSION@" "${VERSION}" text "${text}")
file(WRITE "${dir}/${name}" "${text}")
execute_process(COMMAND gzip -9nf "${dir}/${name}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip ${dir}/${name} failed")
endif()
