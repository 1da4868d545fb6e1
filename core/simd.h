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
#include <immintrin.h>  // declares the __builtin_ia32_* conversions used below
#define NORMVIZ_SIMD_DISPATCH 1
#define NORMVIZ_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define NORMVIZ_SIMD_DISPATCH 0
#endif
#define NORMVIZ_INLINE inline __attribute__((always_inline))
// GCC 12 lowers __builtin_convertvector between Float4 and Double4 two lanes at a time plus
// an insert, even in AVX2 code, which made the kernels compute-bound (1.45x slower in L1);
// its own builtins give the single vcvtps2pd / vcvtpd2ps. They are expanded where the kernel
// is inlined, inside the NORMVIZ_TARGET_AVX2 functions, so the baseline never sees them.
#if NORMVIZ_SIMD_DISPATCH && !defined(__clang__)
#define NORMVIZ_GCC_AVX_CONVERT 1
#else
#define NORMVIZ_GCC_AVX_CONVERT 0
#endif

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
    if constexpr (std::is_same_v<Q, Quad2>) {
        const Double4 w = __builtin_convertvector(v, Double4);
        return Q{__builtin_shufflevector(w, w, 0, 1), __builtin_shufflevector(w, w, 2, 3)};
    } else {
#if NORMVIZ_GCC_AVX_CONVERT
        return __builtin_ia32_cvtps2pd256(v);
#else
        return __builtin_convertvector(v, Double4);
#endif
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
#if NORMVIZ_GCC_AVX_CONVERT
        return __builtin_ia32_cvtpd2ps256(v);
#else
        return __builtin_convertvector(v, Float4);
#endif
    }
}

// Whether this machine runs the AVX2 versions of the kernels (x86-64 with AVX2, unless
// set_simd_baseline_only(true)).
bool use_avx2();
// For tests: run only the baseline kernels, to check that both give the same bits.
void set_simd_baseline_only(bool baseline_only);

}  // namespace normviz::core::detail
