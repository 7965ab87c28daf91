# tests/public_headers.cmake: the casex command (tools/, SOURCE the project
# root) includes only installed headers (<casex/...> or "casex/..."), its own
# tools/ headers and third-party libraries: never "engine/..." (issue 15).
file(GLOB_RECURSE files "${SOURCE}/tools/*.cpp" "${SOURCE}/tools/*.h" "${SOURCE}/tools/*.hpp")
set(bad "")
foreach(f IN LISTS files)
  file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]engine/")
  foreach(line IN LISTS lines)
    string(APPEND bad "\n  ${f}: ${line}")
  endforeach()
endforeach()
list(LENGTH files count)
if(count EQUAL 0)
  message(FATAL_ERROR "no file found under ${SOURCE}/tools")
endif()
if(bad)
  message(FATAL_ERROR "tools/ includes engine headers (use include/casex/ only):${bad}")
endif()
message(STATUS "${count} files of tools/ include only public headers")
