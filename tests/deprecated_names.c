/* tests/deprecated_names.c: a host still calling a name deprecated when the
   record was named by the vocabulary; compiling it must warn and name the
   replacement (tests/CMakeLists.txt checks the compiler's message). */
#include <casex/casex.h>

const char* old_host(const casex_result* result);
const char* old_host(const casex_result* result) { return casex_result_incident(result); }
