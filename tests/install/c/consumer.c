/* tests/install/c/consumer.c: a C consumer of the installed package, built
   with the flags of `pkg-config casex`: evaluates a change and an incoming
   operation and reads them through the structured accessors, builds the change
   again with the change builder, logs through the hook, explains, lints, and
   checks the error channel and the versions. */
#include <casex/casex.h>
#include <casex/version.h>

#include <stdio.h>
#include <string.h>

static int decisions = 0;

static void on_log(void* user_data, casex_log_kind kind, const char* line) {
  (void)user_data;
  if (kind == CASEX_LOG_DECISION && strstr(line, "\"input_sha256\"")) ++decisions;
}

#define CHECK(cond)                                            \
  do {                                                         \
    if (!(cond)) {                                             \
      fprintf(stderr, "consumer.c:%d: %s\n", __LINE__, #cond); \
      ok = 0;                                                  \
    }                                                          \
  } while (0)

int main(void) {
  int ok = 1;
  casex_engine* engine = NULL;
  casex_diagnostics* diagnostics = NULL;
  if (casex_engine_open(NULL, &engine, &diagnostics) != CASEX_OK) return 1;
  CHECK(strlen(casex_diagnostics_version(diagnostics)) == 16);
  casex_diagnostics_free(diagnostics);
  CHECK(casex_engine_set_log(engine, on_log, NULL) == CASEX_OK);
  const char* change =
      "{\"before\":{\"phase\":\"InitialSupport\",\"assignment\":\"SM Tier 2\"},"
      "\"after\":{\"phase\":\"InitialSupport\",\"assignment\":\"SM Tier "
      "2\",\"solution\":\"Rebooted\"},"
      "\"external_reference\":{\"system\":\"SM\",\"id\":\"IM10023\"},\"groups\":{\"SM Tier "
      "2\":\"SM\"}}";
  casex_result* result = NULL;
  casex_status status = casex_eval(engine, change, strlen(change), &result);
  const char* out = casex_result_output(result);
  printf("casex %s: %s %s\n", casex_version(), casex_status_name(status), out);
  CHECK(status == CASEX_OK);
  CHECK(strstr(out, "\"operation\":\"Update\"") && strstr(out, "\"operation\":\"Resolve\""));
  CHECK(strlen(casex_result_version(result)) == 16);
  CHECK(strcmp(casex_version(), CASEX_VERSION) == 0);
  CHECK(casex_version_number() == CASEX_VERSION_NUMBER);
  CHECK(casex_result_kind(result) == CASEX_KIND_CHANGE);
  CHECK(strcmp(casex_result_phase(result), "Review") == 0);
  CHECK(casex_result_operation_count(result) == 2);
  CHECK(strcmp(casex_result_operation_name(result, 1), "Resolve") == 0);
  CHECK(strcmp(casex_result_operation_system(result, 1), "SM") == 0);
  CHECK(strcmp(casex_result_operation_phase(result, 0), "InitialSupport") == 0);
  CHECK(strcmp(casex_result_operation_rule(result, 0), "resolution.update") == 0);
  CHECK(casex_result_suppressed_count(result) == 0);
  CHECK(strcmp(casex_result_suppressed_name(result, 0), "") == 0);
  CHECK(casex_result_field_count(result) == 0); /* the wrong kind */
  casex_result_free(result);

  const char* incoming = "{\"incoming\": \"Assign\", \"incident\": {\"phase\": \"Review\"}}";
  CHECK(casex_eval(engine, incoming, strlen(incoming), &result) == CASEX_OK);
  CHECK(casex_result_kind(result) == CASEX_KIND_INCOMING);
  CHECK(strcmp(casex_result_rule(result), "incoming.assign") == 0);
  CHECK(casex_result_comment_count(result) == 1);
  CHECK(strstr(casex_result_comment(result, 0), "assigned") != NULL);
  CHECK(casex_result_field_count(result) == 1);
  CHECK(strcmp(casex_result_field_name(result, 0), "phase") == 0);
  CHECK(strcmp(casex_result_field_value(result, 0), "Review") == 0);
  CHECK(strcmp(casex_result_reference_system(result), "") == 0);
  CHECK(strcmp(casex_result_record(result), "") == 0);
  casex_result_free(result);
  CHECK(decisions == 2);

  /* The change again, through the change builder: the same result document;
     a misspelt phase refused with the JSON path's words. */
  casex_change* built = casex_change_new();
  CHECK(built != NULL);
  CHECK(casex_change_set_field(built, CASEX_BEFORE, "phase", "InitialSupport") == CASEX_OK);
  CHECK(casex_change_set_field(built, CASEX_BEFORE, "assignment", "SM Tier 2") == CASEX_OK);
  CHECK(casex_change_set_field(built, CASEX_AFTER, "phase", "InitialSupport") == CASEX_OK);
  CHECK(casex_change_set_field(built, CASEX_AFTER, "assignment", "SM Tier 2") == CASEX_OK);
  CHECK(casex_change_set_field(built, CASEX_AFTER, "solution", "Rebooted") == CASEX_OK);
  CHECK(casex_change_set_external_reference(built, "SM", "IM10023") == CASEX_OK);
  CHECK(casex_change_set_group(built, "SM Tier 2", "SM") == CASEX_OK);
  casex_result* from_builder = NULL;
  CHECK(casex_eval(engine, change, strlen(change), &result) == CASEX_OK);
  CHECK(casex_engine_evaluate_change(engine, built, &from_builder) == CASEX_OK);
  CHECK(strcmp(casex_result_output(from_builder), casex_result_output(result)) == 0);
  casex_result_free(from_builder);
  casex_result_free(result);
  casex_change_free(built);
  built = casex_change_new();
  CHECK(casex_change_set_field(built, CASEX_BEFORE, "phase", "InitialSupport") == CASEX_OK);
  CHECK(casex_change_set_field(built, CASEX_AFTER, "phase", "Reveiw") == CASEX_OK);
  CHECK(casex_engine_evaluate_change(engine, built, &from_builder) == CASEX_BAD_INPUT);
  CHECK(strstr(casex_result_error(from_builder), "did you mean \"Review\"") != NULL);
  casex_result_free(from_builder);
  casex_change_free(built);

  const char* bad = "{\"incoming\": \"\xff\"}";
  CHECK(casex_eval(engine, bad, strlen(bad), &result) == CASEX_BAD_INPUT);
  CHECK(strstr(casex_engine_last_error(engine), "invalid UTF-8") != NULL);
  casex_result_free(result);
  CHECK(casex_eval(engine, bad, strlen(bad), NULL) == CASEX_INVALID_ARGUMENT);
  CHECK(strcmp(casex_engine_last_error(engine), "casex_eval: result is NULL") == 0);

  char* explanation = NULL;
  CHECK(casex_explain(engine, change, strlen(change), CASEX_FORMAT_JSON, &explanation) == CASEX_OK);
  CHECK(explanation && strstr(explanation, "\"kind\":\"change\""));
  casex_string_free(explanation);

  CHECK(casex_lint(NULL, 0, &diagnostics) == CASEX_OK);
  CHECK(casex_diagnostics_count(diagnostics) == 0);
  CHECK(casex_diagnostic_severity(diagnostics, 0) == CASEX_SEVERITY_NONE);
  CHECK(strcmp(casex_diagnostic_witness(diagnostics, 0), "") == 0);
  casex_diagnostics_free(diagnostics);

  CHECK(casex_engine_reload(engine, &diagnostics) == CASEX_OK);
  CHECK(strlen(casex_diagnostics_version(diagnostics)) == 16);
  casex_diagnostics_free(diagnostics);
  casex_engine_free(engine);
  puts(ok ? "ok" : "MISMATCH");
  return ok ? 0 : 1;
}
