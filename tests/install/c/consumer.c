/* tests/install/c/consumer.c: a C consumer of the installed package, built
   with the flags of `pkg-config casex`: evaluates a change, checks the result. */
#include <casex/casex.h>
#include <casex/version.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  casex_engine* engine = NULL;
  if (casex_engine_open(NULL, &engine, NULL) != CASEX_OK) return 1;
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
  int ok = status == CASEX_OK && strstr(out, "\"operation\":\"Update\"") &&
           strstr(out, "\"operation\":\"Resolve\"") && strlen(casex_result_version(result)) == 16 &&
           strcmp(casex_version(), CASEX_VERSION) == 0;
  casex_result_free(result);
  casex_engine_free(engine);
  puts(ok ? "ok" : "MISMATCH");
  return ok ? 0 : 1;
}
