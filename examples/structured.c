/* examples/structured.c: the C API beyond JSON: results read through their
   accessors, the log hook, the error channel, explain and lint. */
#include <casex/casex.h>

#include <stdio.h>
#include <string.h>

/* Called on the evaluating thread for each decision and reload: e.g. append
   `line` (one JSON line) to an audit file. Here: count the decisions. */
static void on_log(void* user_data, casex_log_kind kind, const char* line) {
  (void)line;
  if (kind == CASEX_LOG_DECISION) ++*(int*)user_data;
}

int main(void) {
  casex_engine* engine = NULL;
  if (casex_engine_open(NULL, &engine, NULL) != CASEX_OK) {
    fprintf(stderr, "%s\n", casex_engine_last_error(NULL));
    return 2;
  }
  int decisions = 0;
  casex_engine_set_log(engine, on_log, &decisions);

  const char* change =
      "{\"before\": {\"phase\": \"InitialSupport\"}, \"after\": {\"phase\": \"InitialSupport\", "
      "\"solution\": \"Rebooted\"}, \"external_reference\": {\"system\": \"SM\", \"id\": "
      "\"IM10023\"}, \"origin\": \"SM\"}";
  casex_result* result = NULL;
  if (casex_eval(engine, change, strlen(change), &result) == CASEX_OK) {
    printf("phase %s\n", casex_result_phase(result));
    for (size_t i = 0; i < casex_result_operation_count(result); ++i)
      printf("send %s to %s\n", casex_result_operation_name(result, i),
             casex_result_operation_system(result, i));
    for (size_t i = 0; i < casex_result_suppressed_count(result); ++i)
      printf("suppressed %s to %s (rule %s): the change came from there\n",
             casex_result_suppressed_name(result, i), casex_result_suppressed_system(result, i),
             casex_result_suppressed_rule(result, i));
  }
  casex_result_free(result);

  const char* incoming = "{\"incoming\": \"Assign\", \"incident\": {\"phase\": \"Review\"}}";
  if (casex_eval(engine, incoming, strlen(incoming), &result) == CASEX_OK &&
      casex_result_kind(result) == CASEX_KIND_INCOMING)
    printf("%s: %zu comment(s), first \"%s\"\n", casex_result_rule(result),
           casex_result_comment_count(result), casex_result_comment(result, 0));
  casex_result_free(result);

  const char* bad = "{\"incoming\": \"Assign\xff\"}";
  if (casex_eval(engine, bad, strlen(bad), &result) != CASEX_OK)
    printf("refused: %s\n", casex_engine_last_error(engine));
  casex_result_free(result);

  char* why = NULL;
  if (casex_explain(engine, incoming, strlen(incoming), CASEX_FORMAT_TEXT, &why) == CASEX_OK)
    printf("explained in %zu bytes of text\n", strlen(why));
  casex_string_free(why);

  casex_diagnostics* findings = NULL;
  casex_status linted = casex_lint(NULL, 0, &findings); /* the built-in rules; or paths */
  printf("lint: %s, %zu finding(s)\n", casex_status_name(linted),
         casex_diagnostics_count(findings));
  casex_diagnostics_free(findings);

  printf("%d decisions logged\n", decisions);
  casex_engine_free(engine);
  return 0;
}
