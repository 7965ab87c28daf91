# tests/hostile_load.cmake: issue 13, "one loader, one verdict": a rule directory
# or rule test file that is not a regular, readable, single-document UTF-8 YAML
# file within the limits is a diagnostic from every command (tests/hostile_load.sh),
# never an abort, a hang or a file skipped in silence.
set(CASEX_HOSTILE_LOAD_CASES
  "symlink-loop|a rule directory holding a symlink loop is a diagnostic naming it from lint, eval, explain, render and test, not an abort"
  "dangling-symlink|a rule file that is a dangling symlink is a diagnostic from every command, not skipped"
  "fifo|a rule file that is a FIFO is a diagnostic from every command, never a hang"
  "directory|a directory named done.yaml in a rule directory is a diagnostic from every command, not skipped"
  "fifo-argument|lint and test of a FIFO named on the command line refuse it as not a regular file, without hanging"
  "unreadable|eval refuses an unreadable done.yaml as lint does (run as nobody when root)"
  "two-documents|a rule file holding two YAML documents is refused by every command, its second document not ignored"
  "invalid-utf8|invalid UTF-8 in a rule id or a comment template is refused at its line and column, and lint JSON stays UTF-8"
  "scenario-alias|a scenario alias named by 10,000 rules is refused by the alias expansion limit within 5 s"
  "test-alias-bomb|an 8-level alias bomb in a rule test file is refused at its line and column within 5 s"
  "test-number-range|a number beyond a double in a rule test file is an error at its line and column, not an abort")
foreach(entry IN LISTS CASEX_HOSTILE_LOAD_CASES)
  string(FIND "${entry}" "|" bar)
  string(SUBSTRING "${entry}" 0 ${bar} case)
  math(EXPR from "${bar} + 1")
  string(SUBSTRING "${entry}" ${from} -1 what)
  add_test(NAME "hostile load: ${what}"
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hostile_load.sh $<TARGET_FILE:casex> ${PROJECT_SOURCE_DIR} ${case})
  set_tests_properties("hostile load: ${what}" PROPERTIES TIMEOUT 180 SKIP_RETURN_CODE 77 LABELS hostile_load)
endforeach()
