// Statistics and normalization by construction: cases whose answers are known exactly.
// (Numbers against PyTorch live in test_pytorch_fixtures.cpp.)
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/generators.h"
#include "core/normalize.h"
#include "core/simd.h"
#include "core/stats.h"

using namespace normviz::core;

namespace {
NormSpec preset(NormKind kind, int64_t groups = 1) {
    NormSpec s;
    s.kind = kind;
    s.groups = groups;
    return s;
}
}  // namespace

TEST(Stats, ConstantGroupHasZeroVarianceExactly) {
    Tensor t = generate({4, 6, 4, 4}, Generator::Constant, 1);
    for (float& v : t.data) v = 3.1f;
    for (NormKind k : {NormKind::Batch, NormKind::Layer, NormKind::Instance, NormKind::LayerToken}) {
        auto stats = compute_group_stats(t, make_partition(preset(k), t.shape));
        for (const GroupStats& g : stats) {
            EXPECT_EQ(g.var, 0.0);
            EXPECT_EQ(g.mean, static_cast<double>(3.1f));
        }
        auto y = normalize(t, preset(k));
        ASSERT_TRUE(y.ok());
        for (float v : y.value().data) EXPECT_EQ(v, 0.0f);
    }
}

TEST(Stats, LargeOffsetKeepsItsVariance) {
    // 1e4 + N(0, 1): float32 E[x^2] - E[x]^2 would lose most digits here.
    Tensor t = generate({8, 4, 16, 16}, Generator::LargeOffset, 7);
    auto stats = compute_group_stats(t, make_partition(preset(NormKind::Batch), t.shape));
    for (size_t c = 0; c < stats.size(); ++c) {
        // Reference: plain two-pass in long double over the channel.
        long double sum = 0, dev = 0;
        int64_t count = 0;
        for (int64_t n = 0; n < 8; ++n)
            for (int64_t i = 0; i < 256; ++i, ++count) sum += t.data[(n * 4 + c) * 256 + i];
        long double mean = sum / count;
        for (int64_t n = 0; n < 8; ++n)
            for (int64_t i = 0; i < 256; ++i) {
                long double d = t.data[(n * 4 + c) * 256 + i] - mean;
                dev += d * d;
            }
        EXPECT_NEAR(stats[c].var, static_cast<double>(dev / count), 1e-9 * static_cast<double>(dev / count));
        EXPECT_GT(stats[c].var, 0.5);
        EXPECT_LT(stats[c].var, 1.5);
    }
}

TEST(Stats, NanStaysInsideItsGroup) {
    Tensor t = generate({2, 3, 2, 2}, Generator::Normal, 3);
    t.at({1, 2, 0, 1}) = std::nanf("");
    Partition p = make_partition(preset(NormKind::Instance), t.shape);
    auto stats = compute_group_stats(t, p);
    for (int64_t g = 0; g < p.group_count(); ++g) {
        bool poisoned = g == p.group_of({1, 2, 0, 0});
        EXPECT_EQ(std::isnan(stats[g].mean), poisoned);
        EXPECT_EQ(std::isnan(stats[g].var), poisoned);
    }
    Tensor y = normalize(t, preset(NormKind::Instance)).value();
    for (int64_t f = 0; f < t.shape.numel(); ++f)
        EXPECT_EQ(std::isnan(y.data[f]), p.group_of_flat(f) == p.group_of({1, 2, 0, 0}));
}

TEST(Stats, InfMakesACentredGroupNan) {
    Tensor t = generate({2, 3, 2, 2}, Generator::Normal, 3);
    t.at({0, 1, 1, 1}) = INFINITY;
    Partition p = make_partition(preset(NormKind::Batch), t.shape);
    auto stats = compute_group_stats(t, p);
    EXPECT_EQ(stats[1].mean, INFINITY);
    EXPECT_TRUE(std::isnan(stats[1].var));
    EXPECT_TRUE(std::isfinite(stats[0].var));
    Tensor y = normalize(t, preset(NormKind::Batch)).value();
    for (int64_t f = 0; f < t.shape.numel(); ++f) EXPECT_EQ(std::isnan(y.data[f]), unflat_index(t.shape, f).c == 1);
}

TEST(Stats, LaneWiseStatisticsHoldAtALargeOffsetAndBesideInfinities) {
    // LayerNorm over C at each position: 40 channels, so each lane is one piece of rows.
    // 1e4 + N(0, 1) must keep its variance; a lane whose first value is +Inf has mean +Inf
    // (a shift of +Inf would make the shifted sums NaN: such lanes take the exact route), and
    // a lane with a NaN has NaN statistics, while their neighbours stay finite.
    Tensor t = generate({2, 40, 3, 5}, Generator::LargeOffset, 11);
    t.at({0, 0, 1, 2}) = INFINITY;
    t.at({1, 7, 2, 4}) = std::nanf("");
    const Partition p = make_partition(preset(NormKind::LayerToken), t.shape);
    for (int threads : {1, 2}) {
        const auto stats = compute_group_stats(t, p, threads);
        for (int64_t n = 0; n < 2; ++n)
            for (int64_t h = 0; h < 3; ++h)
                for (int64_t w = 0; w < 5; ++w) {
                    const GroupStats& g = stats[static_cast<size_t>(p.group_of({n, 0, h, w}))];
                    if (n == 0 && h == 1 && w == 2) {
                        EXPECT_EQ(g.mean, INFINITY);
                        EXPECT_EQ(g.mean_sq, INFINITY);
                        EXPECT_TRUE(std::isnan(g.var));
                        continue;
                    }
                    if (n == 1 && h == 2 && w == 4) {
                        EXPECT_TRUE(std::isnan(g.mean) && std::isnan(g.var) && std::isnan(g.mean_sq));
                        continue;
                    }
                    long double sum = 0, sum_sq = 0, dev = 0;
                    for (int64_t c = 0; c < 40; ++c) {
                        const long double v = t.at({n, c, h, w});
                        sum += v, sum_sq += v * v;
                    }
                    const long double mean = sum / 40;
                    for (int64_t c = 0; c < 40; ++c) dev += (t.at({n, c, h, w}) - mean) * (t.at({n, c, h, w}) - mean);
                    EXPECT_NEAR(g.mean, static_cast<double>(mean), 1e-12 * 1e4);
                    EXPECT_NEAR(g.var, static_cast<double>(dev / 40), 1e-9 * static_cast<double>(dev / 40));
                    EXPECT_NEAR(g.mean_sq, static_cast<double>(sum_sq / 40), 1e-12 * 1e8);
                    EXPECT_GT(g.var, 0.2);
                }
    }
}

TEST(Stats, RmsDividesByRootMeanSquareWithoutCentering) {
    Tensor t = make_tensor({1, 2, 1, 1});
    t.data = {3.0f, 4.0f};  // mean of squares 12.5
    NormSpec rms = preset(NormKind::Rms);
    rms.eps = 0;
    Tensor y = normalize(t, rms).value();
    EXPECT_FLOAT_EQ(y.data[0], static_cast<float>(3.0 / std::sqrt(12.5)));
    EXPECT_FLOAT_EQ(y.data[1], static_cast<float>(4.0 / std::sqrt(12.5)));
}

TEST(Stats, AffineAppliesPerChannelGammaAndBeta) {
    Tensor t = generate({3, 2, 2, 2}, Generator::PerChannel, 5);
    Affine affine{{2.0f, -1.0f}, {0.5f, 3.0f}};
    Tensor plain = normalize(t, preset(NormKind::Batch)).value();
    Tensor scaled = normalize(t, preset(NormKind::Batch), affine).value();
    for (int64_t f = 0; f < t.shape.numel(); ++f) {
        int64_t c = unflat_index(t.shape, f).c;
        EXPECT_NEAR(scaled.data[f], affine.gamma[c] * plain.data[f] + affine.beta[c], 1e-5);
    }
}

TEST(Stats, NormalizeRefusesWhatValidateRefuses) {
    Tensor t = generate({1, 4, 1, 1}, Generator::Normal, 1);
    auto r = normalize(t, preset(NormKind::Batch));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("PyTorch"), std::string::npos);
}

TEST(Generators, AreDeterministicPerSeed) {
    Shape s{2, 3, 4, 5};
    for (Generator g : kAllGenerators) {
        EXPECT_EQ(generate(s, g, 42).data, generate(s, g, 42).data) << generator_name(g);
        EXPECT_EQ(parse_generator(generator_name(g)).value(), g);
    }
    EXPECT_NE(generate(s, Generator::Normal, 1).data, generate(s, Generator::Normal, 2).data);
    EXPECT_FALSE(parse_generator("gaussian").ok());
}

// One batch held fixed: a smaller N is the first samples of a larger one, for every generator,
// so every norm that does not pool over N keeps its numbers when N changes.
TEST(Generators, SmallerBatchIsAPrefixOfALargerOne) {
    for (Generator g : kAllGenerators) {
        const Tensor big = generate({8, 4, 3, 5}, g, 11);
        for (int64_t n : {1, 2, 5}) {
            const Tensor small = generate({n, 4, 3, 5}, g, 11);
            ASSERT_EQ(small.data.size(), static_cast<size_t>(n * 60));
            EXPECT_TRUE(std::equal(small.data.begin(), small.data.end(), big.data.begin()))
                << generator_name(g) << " N=" << n;
        }
        const Tensor other_seed = generate({8, 4, 3, 5}, g, 12);
        if (g != Generator::Constant) {
            EXPECT_NE(other_seed.data, big.data) << generator_name(g);
        }
    }
}

TEST(Generators, PerChannelMakesChannelMeansDiffer) {
    Tensor t = generate({8, 6, 8, 8}, Generator::PerChannel, 11);
    auto stats = compute_group_stats(t, make_partition(preset(NormKind::Batch), t.shape));
    EXPECT_GT(stats.back().mean - stats.front().mean, 3.0);
}

// float32's extremes: every kernel (SIMD and baseline, one and several threads, every norm)
// sums in double, so +-FLT_MAX pairs give mean 0 and var = mean_sq = FLT_MAX^2 (1.16e77),
// finite. A float accumulator would overflow to Inf at the first FLT_MAX + FLT_MAX. With
// float64 input beyond float32 refused (core/array.h), finite input gives finite statistics.
TEST(Stats, LargestFloat32ValuesNeverOverflowTheSums) {
    const float max = std::numeric_limits<float>::max();
    Tensor t = make_tensor({8, 64, 32, 32});
    for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = (i % 2) ? -max : max;  // alternate along W
    const double square = double(max) * double(max);
    for (detail::SimdPath path : {detail::SimdPath::Avx512, detail::SimdPath::Avx2, detail::SimdPath::Baseline}) {
        detail::set_simd_path_limit(path);
        for (int threads : {1, 4}) {
            for (NormKind k : {NormKind::Batch, NormKind::Layer, NormKind::Instance, NormKind::Group, NormKind::Rms}) {
                SCOPED_TRACE(std::string(norm_name(k)) + " " + detail::simd_path_name(path) + " threads " +
                             std::to_string(threads));
                const auto stats = compute_group_stats(t, make_partition(preset(k, 4), t.shape), threads);
                ASSERT_FALSE(stats.empty());
                for (const GroupStats& g : stats) {
                    ASSERT_TRUE(std::isfinite(g.mean) && std::isfinite(g.var) && std::isfinite(g.mean_sq));
                    EXPECT_NEAR(g.mean_sq, square, square * 1e-12);
                    if (k == NormKind::Rms) continue;  // pools along C: one sign per group
                    EXPECT_NEAR(g.mean, 0.0, double(max) * 1e-12);
                    EXPECT_NEAR(g.var, square, square * 1e-12);
                }
            }
        }
    }
    detail::set_simd_path_limit(detail::SimdPath::Avx512);
}
