// NORMVIZ_ASSERT: for programmer mistakes only (user errors are core::Error values).
#pragma once

#include <cstdio>
#include <cstdlib>

#define NORMVIZ_ASSERT(cond, msg)                                                                                \
    do {                                                                                                         \
        if (!(cond)) {                                                                                           \
            std::fprintf(stderr, "normviz: internal error: %s (%s) at %s:%d\n", msg, #cond, __FILE__, __LINE__); \
            std::abort();                                                                                        \
        }                                                                                                        \
    } while (0)
