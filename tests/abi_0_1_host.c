/* tests/abi_0_1_host.c: a host written against casex 0.1, whose casex.h
   declared casex_result_incident, the record's id under its name of then.
   Today's header no longer declares it; libcasex.so.0 still exports it (an
   alias of casex_result_record, CMakeLists.txt), so such a host keeps running.
   Prints the id through the old and the new name. */
#include <casex/casex.h>

#include <stdio.h>
#include <string.h>

/* As 0.1's casex.h declared it. */
CASEX_API const char* casex_result_incident(const casex_result* result);

int main(void) {
  casex_engine* engine = NULL;
  casex_diagnostics* diagnostics = NULL;
  if (casex_engine_open(NULL, &engine, &diagnostics) != CASEX_OK) return 2;
  casex_diagnostics_free(diagnostics);
  const char* change =
      "{\"incident\": \"INC-7\", \"before\": {\"phase\": \"Review\"}, \"after\": {\"phase\": "
      "\"Review\"}}";
  casex_result* result = NULL;
  int rc = 1;
  if (casex_eval(engine, change, strlen(change), &result) == CASEX_OK) {
    printf("%s %s\n", casex_result_incident(result), casex_result_record(result));
    rc = 0;
  }
  casex_result_free(result);
  casex_engine_free(engine);
  return rc;
}
