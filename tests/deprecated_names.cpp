// tests/deprecated_names.cpp: a C++ host still using the members deprecated
// when the record was named by the vocabulary; compiling it must warn and
// name each replacement (tests/CMakeLists.txt checks the compiler's messages).
#include <casex/casex.hpp>

std::string old_host(casex::Change& change, const casex::Outcome& outcome);
std::string old_host(casex::Change& change, const casex::Outcome& outcome) {
  change.incident = "INC-1";
  return outcome.incident.value_or("") + std::to_string(outcome.incoming.incident.size());
}
