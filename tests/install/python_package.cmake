# tests/install/python_package.cmake: the Python package python/ pip-installed
# (offline: --no-index --no-build-isolation, setuptools from the system) into
# a fresh venv, then tests/install/python/package_test.py run in it against
# the installed libcasex (PREFIX).
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
# A copy: building writes build/ and *.egg-info beside the sources.
file(COPY "${SOURCE}/python" DESTINATION "${WORK}")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out
                  WORKING_DIRECTORY "${WORK}")
  message(STATUS "${ARGN}\n${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()
run("${PYTHON}" -m venv --system-site-packages "${WORK}/venv")
run("${WORK}/venv/bin/python" -m pip install --no-index --no-build-isolation --no-cache-dir
    --disable-pip-version-check "${WORK}/python")
run("${CMAKE_COMMAND}" -E env "CASEX_LIBRARY=${PREFIX}/${LIBDIR}/libcasex.so.${SOVERSION}"
    "${WORK}/venv/bin/python" "${SOURCE}/tests/install/python/package_test.py")
