# tests/eval_blocks.cmake: `casex eval --lines` reads its input in blocks of
# whole lines: a line longer than a block (here 600 KB), CRLF line ends and a
# last line without a newline each still give exactly one result, numbered
# after the input's lines, with --jobs 1 and 2 alike.
string(REPEAT "x" 600000 long)
set(ok "{\"before\":{\"phase\":\"Log\"},\"after\":{\"phase\":\"Log\"}}")
set(input "${ok}\n{\"incident\":\"INC-LONG\",\"before\":{\"phase\":\"Log\",\"solution\":\"${long}\"},\"after\":{\"phase\":\"Log\"}}\n{\n${ok}\r\n${ok}")
file(WRITE "${WORK}/blocks-input.jsonl" "${input}")
foreach(jobs 1 2)
  execute_process(COMMAND "${CASEX}" eval --lines --jobs ${jobs} "${WORK}/blocks-input.jsonl"
                  OUTPUT_VARIABLE out_${jobs} RESULT_VARIABLE rc_${jobs})
  string(REGEX MATCHALL "\n" nl "${out_${jobs}}")
  list(LENGTH nl n)
  if(NOT n EQUAL 5)
    message(FATAL_ERROR "--jobs ${jobs}: 5 lines in, ${n} out:\n${out_${jobs}}")
  endif()
  if(NOT rc_${jobs} EQUAL 1)
    message(FATAL_ERROR "--jobs ${jobs}: exit status ${rc_${jobs}} for an input with a bad line")
  endif()
  if(NOT out_${jobs} MATCHES "^[^\n]*\"phase\":\"Log\"[^\n]*\n{\"incident\":\"INC-LONG\"[^\n]*\n{\"line\":3,\"error\":[^\n]*\n[^\n]*\"phase\":\"Log\"[^\n]*\n[^\n]*\"phase\":\"Log\"[^\n]*\n$")
    string(SUBSTRING "${out_${jobs}}" 0 600 head)
    message(FATAL_ERROR "--jobs ${jobs} wrote:\n${head}")
  endif()
endforeach()
if(NOT out_1 STREQUAL out_2)
  message(FATAL_ERROR "--jobs 2 does not write what --jobs 1 writes")
endif()
