// engine/common/compiler.h: the only compiler-specific code of the engine:
// inlining hints and bit scans, as macros and functions that compile to the
// portable form on a compiler without them.
#pragma once

#include <cstdint>

#if defined(__GNUC__) || defined(__clang__)
#define CASEX_ALWAYS_INLINE inline __attribute__((always_inline))
#define CASEX_NOINLINE __attribute__((noinline))
#define CASEX_LIKELY(x) __builtin_expect(!!(x), 1)
#define CASEX_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define CASEX_ALWAYS_INLINE inline
#define CASEX_NOINLINE
#define CASEX_LIKELY(x) (x)
#define CASEX_UNLIKELY(x) (x)
#endif

namespace casex::detail {

/// The index of the lowest set bit of a non-zero word.
inline unsigned lowest_bit(uint64_t m) {
#if defined(__GNUC__) || defined(__clang__)
  return static_cast<unsigned>(__builtin_ctzll(m));
#else
  unsigned i = 0;
  while (!(m & 1)) {
    m >>= 1;
    ++i;
  }
  return i;
#endif
}

}  // namespace casex::detail
