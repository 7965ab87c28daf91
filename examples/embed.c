/* examples/embed.c: the README's C example: an engine on the built-in rules,
   one change evaluated, one bad document, every buffer freed. */
#include <casex/casex.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  casex_engine* engine = NULL;
  casex_diagnostics* diagnostics = NULL;
  /* NULL: the built-in rules; or a directory such as "/etc/casex/rules" */
  if (casex_engine_open(NULL, &engine, &diagnostics) != CASEX_OK) {
    fputs(casex_diagnostics_text(diagnostics), stderr);
    casex_diagnostics_free(diagnostics);
    return 2;
  }
  casex_diagnostics_free(diagnostics);

  const char* change =
      "{\"incident\": \"INC-1042\","
      " \"before\": {\"phase\": \"InitialSupport\", \"assignment\": \"SM Tier 2\"},"
      " \"after\": {\"phase\": \"InitialSupport\", \"assignment\": \"SM Tier 2\", \"solution\": "
      "\"Rebooted\"},"
      " \"external_reference\": {\"system\": \"SM\", \"id\": \"IM10023\"}, \"groups\": {\"SM Tier "
      "2\": \"SM\"}}";
  casex_result* result = NULL;
  casex_status status = casex_eval(engine, change, strlen(change), &result);
  if (status == CASEX_OK)
    printf("%s\n(rules %s)\n", casex_result_output(result), casex_result_version(result));
  casex_result_free(result);

  const char* bad = "{\"before\": {\"phase\": \"Reveiw\"}, \"after\": {\"phase\": \"Review\"}}";
  if (casex_eval(engine, bad, strlen(bad), &result) == CASEX_BAD_INPUT)
    printf("%s: %s\n", casex_status_name(CASEX_BAD_INPUT), casex_result_error(result));
  casex_result_free(result);

  casex_engine_free(engine);
  return status == CASEX_OK ? 0 : 1;
}
