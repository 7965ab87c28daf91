# tests/install/consumer.cmake: builds and runs one consumer of the installed
# package in PREFIX. KIND=cxx: CMake find_package(casex CONFIG), shared and
# static; KIND=c: a C program compiled with the flags of `pkg-config casex`.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message(STATUS "${ARGN}\n${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()
if(KIND STREQUAL "cxx")
  run("${CMAKE_COMMAND}" -S "${SOURCE}/cxx" -B "${WORK}" -DCMAKE_PREFIX_PATH=${PREFIX}
      -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release)
  run("${CMAKE_COMMAND}" --build "${WORK}" -j2)
  run("${WORK}/consumer")
  run("${WORK}/consumer_static")
elseif(KIND STREQUAL "c")
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/${LIBDIR}/pkgconfig")
  execute_process(COMMAND pkg-config --cflags --libs casex OUTPUT_VARIABLE flags RESULT_VARIABLE rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND pkg-config --variable=libdir casex OUTPUT_VARIABLE libdir OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0 OR flags STREQUAL "")
    message(FATAL_ERROR "pkg-config casex found nothing in $ENV{PKG_CONFIG_PATH}")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  # docs/embedding.md's three ways: an rpath; LD_LIBRARY_PATH; libcasex.a
  # with the dependencies of `pkg-config --static` (Libs.private).
  run("${CC}" -std=c99 -Wall -Wextra -Werror -pedantic "${SOURCE}/c/consumer.c" -o "${WORK}/consumer" ${flags}
      "-Wl,-rpath,${libdir}")
  run("${WORK}/consumer")
  run("${CC}" -std=c99 -Wall -Wextra -Werror -pedantic "${SOURCE}/c/consumer.c" -o "${WORK}/consumer_norpath" ${flags})
  run("${CMAKE_COMMAND}" -E env "LD_LIBRARY_PATH=${libdir}" "${WORK}/consumer_norpath")
  execute_process(COMMAND pkg-config --cflags casex OUTPUT_VARIABLE cflags OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND pkg-config --static --libs casex OUTPUT_VARIABLE static_libs OUTPUT_STRIP_TRAILING_WHITESPACE)
  separate_arguments(cflags UNIX_COMMAND "${cflags}")
  separate_arguments(static_libs UNIX_COMMAND "${static_libs}")
  run("${CC}" -std=c99 -Wall -Wextra -Werror -pedantic "${SOURCE}/c/consumer.c" -o "${WORK}/consumer_static" ${cflags}
      -Wl,-Bstatic -lcasex -Wl,-Bdynamic -Wl,--as-needed ${static_libs})
  execute_process(COMMAND readelf -d "${WORK}/consumer_static" OUTPUT_VARIABLE dynamic)
  if(dynamic MATCHES "libcasex")
    message(FATAL_ERROR "the static consumer still needs libcasex.so:\n${dynamic}")
  endif()
  run("${WORK}/consumer_static")
else()
  message(FATAL_ERROR "KIND must be cxx or c")
endif()
