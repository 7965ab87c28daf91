/* casex/export.h: CASEX_API marks the symbols the shared library exports; it
   is built with -fvisibility=hidden, so everything else stays internal. */
#ifndef CASEX_EXPORT_H
#define CASEX_EXPORT_H

#if defined(_WIN32)
#define CASEX_API
#elif defined(__GNUC__) || defined(__clang__)
#define CASEX_API __attribute__((visibility("default")))
#else
#define CASEX_API
#endif

#endif /* CASEX_EXPORT_H */
