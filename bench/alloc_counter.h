// bench/alloc_counter.h: counts every allocation of the benchmark process
// (global operator new is replaced in alloc_counter.cpp).
#pragma once

#include <cstdint>

namespace casex_bench {

/// Allocations and bytes allocated so far by operator new.
uint64_t allocations();
uint64_t allocated_bytes();

}  // namespace casex_bench
