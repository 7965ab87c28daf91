// bench/alloc_counter.cpp: replaces the global operator new/delete with
// counting versions over malloc/free (kept in their own file, out of sight of
// the inliner).
#include "bench/alloc_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<uint64_t> g_allocs{0}, g_bytes{0};
}  // namespace

namespace casex_bench {
uint64_t allocations() { return g_allocs.load(std::memory_order_relaxed); }
uint64_t allocated_bytes() { return g_bytes.load(std::memory_order_relaxed); }
}  // namespace casex_bench

void* operator new(std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(n, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
