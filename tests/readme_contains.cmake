# tests/readme_contains.cmake: fails unless the document README (README.md or a
# page of docs/) contains the file EXAMPLE verbatim.
file(READ "${README}" readme)
file(READ "${EXAMPLE}" example)
string(FIND "${readme}" "${example}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${README} does not contain ${EXAMPLE} verbatim")
endif()
