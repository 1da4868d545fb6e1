// Internal to core: four or eight lanes of double (and a register of floats, FloatLanes) for
// the statistics and normalization kernels, in GCC/Clang vector extensions, not ISA
// intrinsics. Quad2 (two SSE2/NEON registers) is the baseline; Double4 (one AVX register) is
// used by kernels compiled for AVX2 and Double8 (one AVX-512 register) by kernels compiled
// for AVX-512F, both chosen at run time on x86-64 (NORMVIZ_SIMD_DISPATCH, simd_path()). All
// perform the same IEEE operations lane by lane (and -ffp-contract=off forbids fused
// multiply-adds), and a kernel's lane structure (which value goes to which accumulator, in
// which order) never depends on the vector width, so every path gives the same bits.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>  // declares the __builtin_ia32_* conversions used below
#define NORMVIZ_SIMD_DISPATCH 1
#define NORMVIZ_TARGET_AVX2 __attribute__((target("avx2")))
#define NORMVIZ_TARGET_AVX512 __attribute__((target("avx512f")))
#else
#define NORMVIZ_SIMD_DISPATCH 0
#endif
#define NORMVIZ_INLINE inline __attribute__((always_inline))
// GCC 12 lowers __builtin_convertvector between Float4 and Double4 two lanes at a time plus
// an insert, even in AVX2 code, which made the kernels compute-bound (1.45x slower in L1);
// its own builtins give the single vcvtps2pd / vcvtpd2ps (the same for Float8 and Double8 in
// AVX-512 code). They are expanded where the kernel is inlined, inside the
// NORMVIZ_TARGET_AVX2 / NORMVIZ_TARGET_AVX512 functions, so the baseline never sees them.
#if NORMVIZ_SIMD_DISPATCH && !defined(__clang__)
#define NORMVIZ_GCC_AVX_CONVERT 1
#else
#define NORMVIZ_GCC_AVX_CONVERT 0
#endif

namespace normviz::core::detail {

using Float4 = float __attribute__((vector_size(16)));
using Double2 = double __attribute__((vector_size(16)));
using Double4 = double __attribute__((vector_size(32)));
using Float8 = float __attribute__((vector_size(32)));
using Double8 = double __attribute__((vector_size(64)));
using Float16 = float __attribute__((vector_size(64)));

// The float vector of a kernel compiled for Q's instruction set: as many bytes as Q's
// register (Float4 for Quad2's SSE2, Float8 for AVX2, Float16 for AVX-512).
template <class Q>
using FloatLanes = std::conditional_t<std::is_same_v<Q, Double8>, Float16,
                                      std::conditional_t<std::is_same_v<Q, Double4>, Float8, Float4>>;

struct Quad2 {
    Double2 lo, hi;
};
NORMVIZ_INLINE Quad2 operator+(Quad2 a, Quad2 b) { return {a.lo + b.lo, a.hi + b.hi}; }
NORMVIZ_INLINE Quad2 operator-(Quad2 a, Quad2 b) { return {a.lo - b.lo, a.hi - b.hi}; }
NORMVIZ_INLINE Quad2 operator*(Quad2 a, Quad2 b) { return {a.lo * b.lo, a.hi * b.hi}; }

// Lanes of double in Q: 4 for Quad2 and Double4, 8 for Double8.
template <class Q>
inline constexpr int kWidth = std::is_same_v<Q, Double8> ? 8 : 4;

// Loads, stores and conversions for any of the lane types Q.
template <class Q>
NORMVIZ_INLINE Q quad_splat(double v) {
    if constexpr (std::is_same_v<Q, Double8>) {
        return Q{v, v, v, v, v, v, v, v};
    } else if constexpr (std::is_same_v<Q, Double4>) {
        return Q{v, v, v, v};
    } else {
        return Q{Double2{v, v}, Double2{v, v}};
    }
}
template <class Q>
NORMVIZ_INLINE Q quad_load(const float* x) {
    if constexpr (std::is_same_v<Q, Double8>) {
        Float8 v;
        std::memcpy(&v, x, sizeof v);
#if NORMVIZ_GCC_AVX_CONVERT
        return __builtin_ia32_cvtps2pd512_mask(v, Double8{}, 0xff, 4);  // 4: current rounding
#else
        return __builtin_convertvector(v, Double8);
#endif
    } else if constexpr (std::is_same_v<Q, Quad2>) {
        Float4 v;
        std::memcpy(&v, x, sizeof v);
        const Double4 w = __builtin_convertvector(v, Double4);
        return Q{__builtin_shufflevector(w, w, 0, 1), __builtin_shufflevector(w, w, 2, 3)};
    } else {
        Float4 v;
        std::memcpy(&v, x, sizeof v);
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
// Double8 to eight floats (one vcvtpd2ps in AVX-512 code). A template, so that only the
// files that use it see a 32-byte vector returned.
template <class Q>
NORMVIZ_INLINE Float8 to_float8(Q v) {
    static_assert(std::is_same_v<Q, Double8>);
#if NORMVIZ_GCC_AVX_CONVERT
    return __builtin_ia32_cvtpd2ps512_mask(v, Float8{}, 0xff, 4);  // 4: current rounding
#else
    return __builtin_convertvector(v, Float8);
#endif
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

// The kernels' instruction sets, narrowest first.
enum class SimdPath { Baseline, Avx2, Avx512 };
const char* simd_path_name(SimdPath path);  // "baseline", "avx2", "avx512"
// Whether this machine can run `path` (x86-64 with AVX2, with AVX-512F; Baseline always).
bool simd_path_supported(SimdPath path);
// The path the kernels take: the widest this machine supports, at most the limit below.
SimdPath simd_path();
// Caps simd_path() at `limit` (tests and benchmarks compare the paths). Initially the
// NORMVIZ_SIMD environment variable's value (baseline, avx2 or avx512) when set, else Avx512.
void set_simd_path_limit(SimdPath limit);
SimdPath simd_path_limit();

}  // namespace normviz::core::detail
