/* examples/change.c: a change filled in from C, without JSON: the built-in
   rules decide its operations; a misspelt phase is refused as the JSON path
   refuses it, with "did you mean". */
#include <casex/casex.h>

#include <stdio.h>

/* A setter fails only on a NULL argument or out of memory. */
#define SET(call) \
  if ((status = (call)) != CASEX_OK) goto done

static casex_status decide(const casex_engine* engine, const char* phase_after) {
  casex_change* change = casex_change_new();
  casex_result* result = NULL;
  casex_status status = CASEX_NO_MEMORY;
  size_t i;
  if (!change) return status;
  SET(casex_change_set_record(change, "INC-1042"));
  SET(casex_change_set_field(change, CASEX_BEFORE, "phase", "InitialSupport"));
  SET(casex_change_set_field(change, CASEX_BEFORE, "assignment", "SM Tier 2"));
  SET(casex_change_set_field(change, CASEX_AFTER, "phase", phase_after));
  SET(casex_change_set_field(change, CASEX_AFTER, "assignment", "SM Tier 2"));
  SET(casex_change_set_field(change, CASEX_AFTER, "solution", "Rebooted"));
  SET(casex_change_set_event(change, "comment_added", 0));
  SET(casex_change_set_external_reference(change, "SM", "IM10023"));
  SET(casex_change_set_group(change, "SM Tier 2", "SM"));
  status = casex_engine_evaluate_change(engine, change, &result);
  if (status == CASEX_OK) {
    printf("%s: phase %s\n", casex_result_record(result), casex_result_phase(result));
    for (i = 0; i < casex_result_operation_count(result); ++i)
      printf("%s to %s (rule %s)\n", casex_result_operation_name(result, i),
             casex_result_operation_system(result, i), casex_result_operation_rule(result, i));
  }
done:
  if (status != CASEX_OK)
    printf("%s: %s\n", casex_status_name(status), casex_engine_last_error(engine));
  casex_result_free(result);
  casex_change_free(change);
  return status;
}

int main(void) {
  casex_engine* engine = NULL;
  int ok;
  if (casex_engine_open(NULL, &engine, NULL) != CASEX_OK) {
    fprintf(stderr, "%s\n", casex_engine_last_error(NULL));
    return 2;
  }
  ok = decide(engine, "InitialSupport") == CASEX_OK &&
       decide(engine, "InitialSuport") == CASEX_BAD_INPUT;
  casex_engine_free(engine);
  return ok ? 0 : 1;
}
