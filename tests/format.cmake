# tests/format.cmake: fails unless every C and C++ file of the source tree is
# formatted as .clang-format says. Run: cmake -DSOURCE=<tree> -DCLANG_FORMAT=<exe> -P format.cmake
# Fix: clang-format -i <file> (or tools/format.sh for the whole tree).
set(files)
foreach(dir engine include tools tests examples bench)
  file(GLOB_RECURSE found LIST_DIRECTORIES false
       "${SOURCE}/${dir}/*.cpp" "${SOURCE}/${dir}/*.h" "${SOURCE}/${dir}/*.hpp" "${SOURCE}/${dir}/*.c")
  list(APPEND files ${found})
endforeach()
list(LENGTH files n)
if(n LESS 50)
  message(FATAL_ERROR "format: found only ${n} C/C++ files under ${SOURCE}; wrong SOURCE?")
endif()
execute_process(COMMAND "${CLANG_FORMAT}" --style=file --dry-run -Werror ${files}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${err}\nformat: the files above are not clang-formatted; run tools/format.sh")
endif()
message(STATUS "format: ${n} files clang-formatted")
