# tests/hostile_cli.cmake: the casex command against hostile input and output
# (issue 13): every write checked, no exception out of a command, limits held
# while reading, a co-process answered line by line. Each test is one scenario
# of tests/hostile_cli.py, run under a timeout.
find_program(CASEX_HOSTILE_PYTHON3 python3)
set(CASEX_HOSTILE_WORK ${CMAKE_CURRENT_BINARY_DIR}/hostile_cli)
function(casex_hostile_test name scenario)
  add_test(NAME "${name}"
    COMMAND ${CASEX_HOSTILE_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/hostile_cli.py $<TARGET_FILE:casex>
            ${CASEX_HOSTILE_WORK}/${scenario} ${scenario})
  set_tests_properties("${name}" PROPERTIES TIMEOUT 300 LABELS hostile_cli)
endfunction()
casex_hostile_test("cli: eval --lines to a full disk fails with a message and a non-zero exit" full_disk_eval)
casex_hostile_test("cli: explain, lint, test, render and --help to a full disk fail with a message and a non-zero exit"
  full_disk_others)
casex_hostile_test("cli: every command with standard output closed refuses with a message and a non-zero exit"
  stdout_closed)
casex_hostile_test("cli: eval --log never writes results into the log when standard output is closed"
  log_not_stdout)
casex_hostile_test("cli: eval --log to a full disk fails with a message and exit 1" log_full)
casex_hostile_test("cli: eval with standard error full or closed exits with the status of what happened, no abort"
  stderr_broken)
casex_hostile_test("cli: eval --lines skips a 300 MB line in bounded memory and answers the 2,000 others"
  long_line)
casex_hostile_test("cli: eval --lines reads /dev/zero in bounded memory" dev_zero)
casex_hostile_test("cli: eval --lines answers a co-process line by line on an open pipe" coprocess)
casex_hostile_test("cli: eval and explain refuse a 200 MB document while reading it, test a 20 MB file" big_document)
casex_hostile_test("cli: test --junit escapes characters XML 1.0 cannot carry" junit_xml)
casex_hostile_test("cli: eval and explain out of memory say so and exit 2, never abort" out_of_memory)
casex_hostile_test("cli: eval and explain with an unreadable input (closed, a directory, missing) exit 1 with one line"
  unreadable_input)
