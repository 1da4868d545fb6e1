// How close normalize's float32 outputs are to the exact values (core/normalize.cpp's two
// routes): the float route within 2 float32 ulps, the double formula, taken where float32
// cannot hold a group's statistic, correctly rounded but for double's own tiny error. The
// references are two-pass long-double sums over the partition, not normviz's statistics.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/generators.h"
#include "core/normalize.h"
#include "core/partition.h"
#include "core/simd.h"

using namespace normviz::core;

namespace {

// Exact outputs: (x - mean) / sqrt(var + eps), or x / sqrt(mean_sq + eps) uncentred.
std::vector<long double> reference(const Tensor& t, const NormSpec& spec) {
    const Partition p = make_partition(spec, t.shape);
    const size_t groups = static_cast<size_t>(p.group_count());
    std::vector<long double> sum(groups), sq(groups), dev(groups);
    const int64_t numel = t.shape.numel();
    for (int64_t f = 0; f < numel; ++f) {
        const size_t g = static_cast<size_t>(p.group_of_flat(f));
        const long double x = t.data[static_cast<size_t>(f)];
        sum[g] += x;
        sq[g] += x * x;
    }
    const long double n = static_cast<long double>(p.group_size());
    for (int64_t f = 0; f < numel; ++f) {
        const size_t g = static_cast<size_t>(p.group_of_flat(f));
        const long double d = t.data[static_cast<size_t>(f)] - sum[g] / n;
        dev[g] += d * d;
    }
    std::vector<long double> y(static_cast<size_t>(numel));
    const bool centered = is_centered(spec);
    for (int64_t f = 0; f < numel; ++f) {
        const size_t g = static_cast<size_t>(p.group_of_flat(f));
        const long double x = t.data[static_cast<size_t>(f)];
        y[static_cast<size_t>(f)] =
            centered ? (x - sum[g] / n) / std::sqrt(dev[g] / n + spec.eps) : x / std::sqrt(sq[g] / n + spec.eps);
    }
    return y;
}

// Spacing of float32 at |t|.
double ulp32(long double t) {
    const float a = static_cast<float>(std::fabs(t));
    return static_cast<double>(std::nextafter(a, std::numeric_limits<float>::infinity())) - static_cast<double>(a);
}

// Largest |y - truth| in float32 ulps of the truth.
double worst_ulps(const Tensor& y, const std::vector<long double>& truth) {
    double worst = 0;
    for (size_t i = 0; i < truth.size(); ++i) {
        const double d = static_cast<double>(std::fabs(static_cast<long double>(y.data[i]) - truth[i]));
        worst = std::max(worst, std::isfinite(y.data[i]) ? d / ulp32(truth[i]) : INFINITY);
    }
    return worst;
}

NormSpec spec_of(NormKind kind) {
    NormSpec s;
    s.kind = kind;
    s.groups = 4;
    return s;
}

constexpr NormKind kKinds[] = {NormKind::Batch, NormKind::Layer,      NormKind::Instance,
                               NormKind::Group, NormKind::LayerToken, NormKind::Rms};

}  // namespace

TEST(NormalizeAccuracy, FloatRouteStaysWithinTwoUlpsAtALargeOffset) {
    // 1e4 + N(0, 1): without the shift's low part (x - hi alone) outputs would be off by up to
    // ulp(1e4) / 2 = 5e-4, thousands of ulps. (4, 64, 128, 128) is 16 MiB: streamed outputs.
    for (const Shape& shape : {Shape{4, 40, 9, 9}, Shape{4, 64, 128, 128}}) {
        const Tensor t = generate(shape, Generator::LargeOffset, 11);
        for (NormKind k : kKinds) {
            const NormSpec spec = spec_of(k);
            const Result<Tensor> y = normalize(t, spec);
            ASSERT_TRUE(y.ok()) << y.error().message;
            EXPECT_LE(worst_ulps(y.value(), reference(t, spec)), 2.0) << to_string(spec) << " on " << to_string(shape);
        }
    }
}

TEST(NormalizeAccuracy, GroupsBeyondFloatRangeTakeTheDoubleFormulaBesideFloatRouteOnes) {
    // LayerNorm over C and RMSNorm on (8, 1024, 1, 4): at positions 0 and 2 one channel holds
    // 3e38 and the other 1023 hold -3e38 (a variance near 3.5e74, beyond float32, though the
    // scale, 5e-38, is a normal float), where x - mean in float would overflow to Inf; the
    // other positions hold 1e4 + N(0, 1). Each lane tile mixes both routes.
    Tensor t = generate({8, 1024, 1, 4}, Generator::LargeOffset, 3);
    for (int64_t n = 0; n < 8; ++n)
        for (int64_t c = 0; c < 1024; ++c)
            for (int64_t i : {0, 2}) t.data[static_cast<size_t>((n * 1024 + c) * 4 + i)] = c == 0 ? 3e38f : -3e38f;
    for (NormKind k : {NormKind::LayerToken, NormKind::Rms}) {
        const NormSpec spec = spec_of(k);
        const std::vector<long double> truth = reference(t, spec);
        const Result<Tensor> ref = normalize(t, spec, {}, 1);
        ASSERT_TRUE(ref.ok()) << ref.error().message;
        EXPECT_LE(worst_ulps(ref.value(), truth), 2.0) << to_string(spec);
        double huge_worst = 0;
        for (size_t i = 0; i < truth.size(); ++i)
            if (std::fabs(t.data[i]) > 1e30f)
                huge_worst = std::max(huge_worst,
                                      static_cast<double>(std::fabs(ref.value().data[i] - truth[i])) / ulp32(truth[i]));
        EXPECT_LE(huge_worst, 1.0) << to_string(spec) << ": the double formula rounds once";
        // The route is the group's, so every instruction set and thread count gives these bits.
        const detail::SimdPath limit = detail::simd_path_limit();
        for (detail::SimdPath path : {detail::SimdPath::Baseline, detail::SimdPath::Avx2, detail::SimdPath::Avx512}) {
            if (!detail::simd_path_supported(path)) continue;
            detail::set_simd_path_limit(path);
            for (int threads : {1, 2}) {
                const Result<Tensor> y = normalize(t, spec, {}, threads);
                ASSERT_TRUE(y.ok());
                EXPECT_EQ(std::memcmp(y.value().data.data(), ref.value().data.data(), t.data.size() * sizeof(float)), 0)
                    << to_string(spec) << ", " << detail::simd_path_name(path) << ", " << threads << " threads";
            }
        }
        detail::set_simd_path_limit(limit);
    }
}
