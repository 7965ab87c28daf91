# tests/data/lint/cli_golden.cmake: runs `casex lint ARGS` (or `casex SUBCOMMAND ARGS`)
# from the repository root and compares its standard output and exit status with a
# golden file.
#   cmake -DCASEX=... -DROOT=... [-DSUBCOMMAND=test] -DARGS="a;b" -DEXPECTED=file -DSTATUS=n -P cli_golden.cmake
# With CASEX_UPDATE_FIXTURES=1 in the environment it rewrites EXPECTED instead.
if(NOT SUBCOMMAND)
  set(SUBCOMMAND lint)
endif()
execute_process(COMMAND ${CASEX} ${SUBCOMMAND} ${ARGS} WORKING_DIRECTORY ${ROOT}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
if(NOT status EQUAL STATUS)
  message(FATAL_ERROR "casex ${SUBCOMMAND} ${ARGS}: exit status ${status}, expected ${STATUS}\n${out}${err}")
endif()
if("$ENV{CASEX_UPDATE_FIXTURES}" STREQUAL "1")
  file(WRITE ${EXPECTED} "${out}")
  return()
endif()
file(READ ${EXPECTED} expected)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "casex ${SUBCOMMAND} ${ARGS}: output differs from ${EXPECTED}\n=== expected:\n${expected}=== actual:\n${out}===")
endif()
