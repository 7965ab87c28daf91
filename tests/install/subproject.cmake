# tests/install/subproject.cmake: configures, builds and runs the host of
# tests/install/subproject with casex as a subproject (MODE=add_subdirectory or
# FetchContent, from SOURCE = the casex source tree) in WORK (emptied first).
# Catch2, Google Benchmark, CLI11 and Python are disabled: a REQUIRED
# find_package of any of them would fail the configure. The build is the
# host's default target, -j2: the casex library, then the two host programs,
# with the build type BUILD_TYPE and the outer build's compiler launcher
# (LAUNCHER: a ccache set up for the outer build serves this one too).
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message(STATUS "${ARGN}\n${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()
if(NOT BUILD_TYPE)
  set(BUILD_TYPE Release)
endif()
set(args -DMODE=${MODE} -DCASEX_SOURCE_TREE=${SOURCE} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
    -DCMAKE_DISABLE_FIND_PACKAGE_Catch2=ON -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON
    -DCMAKE_DISABLE_FIND_PACKAGE_CLI11=ON -DCMAKE_DISABLE_FIND_PACKAGE_Python3=ON)
if(MODE STREQUAL "add_subdirectory")
  list(APPEND args -DBUILD_TESTING=OFF)
endif()
if(LAUNCHER)
  list(APPEND args -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
run("${CMAKE_COMMAND}" -S "${SOURCE}/tests/install/subproject" -B "${WORK}" ${args})
run("${CMAKE_COMMAND}" --build "${WORK}" -j2)
foreach(program host host_static)
  run("${WORK}/${program}")
  if(NOT out MATCHES "\nok\n")
    message(FATAL_ERROR "${program} did not evaluate the example change to Update then Resolve")
  endif()
endforeach()
