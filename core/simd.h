// Internal to core: four lanes of double for the statistics and normalization kernels, in
// GCC/Clang vector extensions, not ISA intrinsics. Quad2 (two SSE2/NEON registers) is the
// baseline; Double4 (one AVX register) is used by kernels compiled for AVX2 and chosen at
// run time on x86-64 (NORMVIZ_SIMD_DISPATCH). Both perform the same IEEE operations lane by
// lane (and -ffp-contract=off forbids fused multiply-adds), so they give the same bits.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__x86_64__) && defined(__GNUC__)
#define NORMVIZ_SIMD_DISPATCH 1
#define NORMVIZ_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define NORMVIZ_SIMD_DISPATCH 0
#endif
#define NORMVIZ_INLINE inline __attribute__((always_inline))

namespace normviz::core::detail {

using Float4 = float __attribute__((vector_size(16)));
using Double2 = double __attribute__((vector_size(16)));
using Double4 = double __attribute__((vector_size(32)));

struct Quad2 {
    Double2 lo, hi;
};
NORMVIZ_INLINE Quad2 operator+(Quad2 a, Quad2 b) { return {a.lo + b.lo, a.hi + b.hi}; }
NORMVIZ_INLINE Quad2 operator-(Quad2 a, Quad2 b) { return {a.lo - b.lo, a.hi - b.hi}; }
NORMVIZ_INLINE Quad2 operator*(Quad2 a, Quad2 b) { return {a.lo * b.lo, a.hi * b.hi}; }

// Loads, stores and conversions for either four-lane type Q.
template <class Q>
NORMVIZ_INLINE Q quad_splat(double v) {
    if constexpr (sizeof(Q) == sizeof(Double4) && !std::is_same_v<Q, Quad2>) {
        return Q{v, v, v, v};
    } else {
        return Q{Double2{v, v}, Double2{v, v}};
    }
}
template <class Q>
NORMVIZ_INLINE Q quad_load(const float* x) {
    Float4 v;
    std::memcpy(&v, x, sizeof v);
    const Double4 w = __builtin_convertvector(v, Double4);
    if constexpr (std::is_same_v<Q, Quad2>) {
        return Q{__builtin_shufflevector(w, w, 0, 1), __builtin_shufflevector(w, w, 2, 3)};
    } else {
        return w;
    }
}
template <class Q>
NORMVIZ_INLINE Q quad_load(const double* p) {
    Q v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
template <class Q>
NORMVIZ_INLINE void quad_store(double* p, Q v) {
    std::memcpy(p, &v, sizeof v);
}
template <class Q>
NORMVIZ_INLINE Float4 quad_to_float4(Q v) {
    if constexpr (std::is_same_v<Q, Quad2>) {
        return __builtin_convertvector(__builtin_shufflevector(v.lo, v.hi, 0, 1, 2, 3), Float4);
    } else {
        return __builtin_convertvector(v, Float4);
    }
}

// Whether this machine runs the AVX2 versions of the kernels (x86-64 with AVX2, unless
// set_simd_baseline_only(true)).
bool use_avx2();
// For tests: run only the baseline kernels, to check that both give the same bits.
void set_simd_baseline_only(bool baseline_only);

}  // namespace normviz::core::detail
