# tests/lsp/lsp_tests.cmake (included by tests/CMakeLists.txt): casex lsp
# (issue 19). Each scripted conversation (tests/lsp/*.txt, run by
# run_script.py against a copy of rules/) is one ctest; the Neovim test drives
# the server from a real client (skipped when nvim is absent).
set(CASEX_LSP_SCRIPTS
  "lifecycle|lifecycle: not initialized, initialize, MethodNotFound, shutdown, InvalidRequest after it, exit 0"
  "exit_without_shutdown|lifecycle: exit without shutdown ends with status 1"
  "robustness|robustness: bad JSON, bad requests, bad params and half-typed YAML and expressions are answered, never fatal"
  "diagnostics|diagnostics: codes, exact ranges, severities, related rules and witnesses on open and change, a vocabulary edit re-checks every file"
  "hover|hover: a rule id, a field, a function, a phase and an operation"
  "completion|completion: fields after after., phases in entered(), values after ==, operations after then:, functions as snippets"
  "navigation|definition and references: names to their vocabulary entry, a rule id of a rule test file to the rule, a rule test file's unknown phase or rule id diagnosed"
  "symbols|document symbols: tables and rules, workflow moves, targets"
  "code_actions|code actions: a misspelled field or value replaced by lint's suggestion, a shadowed rule moved before the rule that shadows it"
  "cancel|cancellation: an edit during the analysis of a 1,000-rule table cancels it, only the newer version is published"
  "supersede|debounce: three quick edits are analysed once, only the last version's diagnostics published")
foreach(entry IN LISTS CASEX_LSP_SCRIPTS)
  string(REPLACE "|" ";" entry "${entry}")
  list(GET entry 0 key)
  list(GET entry 1 what)
  add_test(NAME "lsp: ${what}"
    COMMAND ${CASEX_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/lsp/run_script.py $<TARGET_FILE:casex>
            ${PROJECT_SOURCE_DIR}/rules ${CMAKE_CURRENT_SOURCE_DIR}/lsp/${key}.txt)
  set_tests_properties("lsp: ${what}" PROPERTIES TIMEOUT 60 LABELS lsp)
endforeach()
add_test(NAME "lsp: Neovim's LSP client shows the diagnostic of a typed broken condition, a hover text and a completion item"
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/lsp/nvim_test.sh $<TARGET_FILE:casex> ${PROJECT_SOURCE_DIR}/rules)
set_tests_properties("lsp: Neovim's LSP client shows the diagnostic of a typed broken condition, a hover text and a completion item"
  PROPERTIES TIMEOUT 90 SKIP_RETURN_CODE 77 LABELS lsp)
# The record's name comes from the vocabulary (issue 20): a rule set whose record is a request.
add_test(NAME "lsp: completion and hover of a template placeholder use the vocabulary's record name (request.)"
  COMMAND ${CASEX_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/lsp/run_script.py $<TARGET_FILE:casex>
          ${PROJECT_SOURCE_DIR}/examples/rules/request ${CMAKE_CURRENT_SOURCE_DIR}/lsp/record_name.txt)
set_tests_properties("lsp: completion and hover of a template placeholder use the vocabulary's record name (request.)"
  PROPERTIES TIMEOUT 60 LABELS lsp)
