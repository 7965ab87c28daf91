# tests/install/install.cmake: `cmake --install` of the build tree into PREFIX
# (emptied first), then checks that every part of the package is there.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD}" --prefix "${PREFIX}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
foreach(f
    include/casex/casex.hpp include/casex/tooling.hpp include/casex/casex.h include/casex/export.h include/casex/version.h
    ${LIBDIR}/libcasex.a ${LIBDIR}/libcasex.so ${LIBDIR}/libcasex.so.${SOVERSION} ${LIBDIR}/libcasex.so.${VERSION}
    ${LIBDIR}/cmake/casex/casexConfig.cmake ${LIBDIR}/cmake/casex/casexConfigVersion.cmake
    ${LIBDIR}/cmake/casex/casexTargets.cmake ${LIBDIR}/cmake/casex/casexStaticTargets.cmake
    ${LIBDIR}/pkgconfig/casex.pc
    bin/casex share/man/man1/casex.1 share/casex/rules/vocabulary.yaml share/casex/rules/incoming.yaml)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "cmake --install did not install ${f}")
  endif()
endforeach()
# The installed command runs, and the installed rules lint clean.
execute_process(COMMAND "${PREFIX}/bin/casex" lint "${PREFIX}/share/casex/rules" RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "installed casex lint of the installed rules failed (${rc}):\n${out}")
endif()
message(STATUS "installed into ${PREFIX}")
