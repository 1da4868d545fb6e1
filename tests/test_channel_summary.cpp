// Per-channel summary against a plain long-double computation over Tensor::at, and the
// awkward channels: all NaN, only Inf, constant, 1e4 + noise, float64 sources.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/channel_summary.h"
#include "core/generators.h"

using namespace normviz::core;

namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// The reference: every value of channel c by its (n, c, h, w) index, two passes in long double.
ChannelSummary reference(const Tensor& t, int64_t c) {
    const Shape& s = t.shape;
    ChannelSummary r;
    long double sum = 0;
    double lo = INFINITY, hi = -INFINITY;
    int64_t zeros = 0;
    auto each = [&](auto&& f) {
        for (int64_t n = 0; n < s.N; ++n)
            for (int64_t h = 0; h < s.H; ++h)
                for (int64_t w = 0; w < s.W; ++w) {
                    const Index i{n, c, h, w};
                    f(t.has_exact64() ? t.data64[flat_index(s, i)] : static_cast<double>(t.at(i)));
                }
    };
    each([&](double v) {
        ++r.count;
        if (std::isnan(v)) ++r.nan_count;
        else if (std::isinf(v)) ++r.inf_count;
        else {
            ++r.finite_count;
            sum += v;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            if (v == 0) ++zeros;
        }
    });
    r.zero_fraction = static_cast<double>(zeros) / static_cast<double>(r.count);
    if (r.finite_count == 0) {
        r.mean = r.std = r.min = r.max = NAN;
        return r;
    }
    const long double mean = sum / r.finite_count;
    long double dev = 0;
    each([&](double v) {
        if (std::isfinite(v)) dev += (v - mean) * (v - mean);
    });
    r.mean = static_cast<double>(mean);
    r.std = static_cast<double>(std::sqrt(dev / r.finite_count));
    r.min = lo;
    r.max = hi;
    return r;
}

// Exact fields equal, mean and std within a relative 1e-12 of the reference (plus a tiny
// absolute floor for values near 0).
void expect_matches(const Tensor& t, const std::vector<ChannelSummary>& got) {
    ASSERT_EQ(got.size(), static_cast<size_t>(t.shape.C));
    for (int64_t c = 0; c < t.shape.C; ++c) {
        SCOPED_TRACE("channel " + std::to_string(c));
        const ChannelSummary want = reference(t, c);
        const ChannelSummary& g = got[static_cast<size_t>(c)];
        EXPECT_EQ(g.count, want.count);
        EXPECT_EQ(g.finite_count, want.finite_count);
        EXPECT_EQ(g.nan_count, want.nan_count);
        EXPECT_EQ(g.inf_count, want.inf_count);
        EXPECT_EQ(g.zero_fraction, want.zero_fraction);
        if (want.finite_count == 0) {
            EXPECT_TRUE(std::isnan(g.mean) && std::isnan(g.std) && std::isnan(g.min) && std::isnan(g.max));
            continue;
        }
        EXPECT_EQ(g.min, want.min);
        EXPECT_EQ(g.max, want.max);
        EXPECT_NEAR(g.mean, want.mean, 1e-12 * std::abs(want.mean) + 1e-15);
        EXPECT_NEAR(g.std, want.std, 1e-12 * want.std + 1e-15);
    }
}

}  // namespace

TEST(ChannelSummary, MatchesAPlainComputationWithNanInfAndZeros) {
    Tensor t = generate({3, 5, 4, 6}, Generator::PerChannel, 11);
    t.at({0, 1, 2, 3}) = kNan;
    t.at({2, 1, 0, 0}) = kInf;
    t.at({1, 1, 3, 5}) = -kInf;
    t.at({1, 3, 1, 1}) = 0.0f;
    t.at({2, 3, 1, 2}) = -0.0f;  // an exact zero too
    t.at({0, 4, 0, 0}) = kNan;
    const auto got = summarize_channels(t);
    expect_matches(t, got);
    EXPECT_EQ(got[1].nan_count, 1);
    EXPECT_EQ(got[1].inf_count, 2);
    EXPECT_EQ(got[1].finite_count, 3 * 4 * 6 - 3);
    EXPECT_TRUE(std::isfinite(got[1].mean) && std::isfinite(got[1].std));  // NaN/Inf left out
    EXPECT_DOUBLE_EQ(got[3].zero_fraction, 2.0 / 72.0);
}

TEST(ChannelSummary, AllNanChannelHasNoFiniteValueAndOthersAreUntouched) {
    Tensor t = generate({2, 3, 2, 2}, Generator::Normal, 3);
    for (int64_t n = 0; n < 2; ++n)
        for (int64_t h = 0; h < 2; ++h)
            for (int64_t w = 0; w < 2; ++w) t.at({n, 1, h, w}) = kNan;
    const auto got = summarize_channels(t);
    expect_matches(t, got);
    EXPECT_EQ(got[1].nan_count, 8);
    EXPECT_EQ(got[1].finite_count, 0);
    EXPECT_TRUE(std::isnan(got[1].mean));
    EXPECT_EQ(got[1].zero_fraction, 0.0);
    EXPECT_TRUE(std::isfinite(got[0].std) && std::isfinite(got[2].std));
}

TEST(ChannelSummary, OnlyInfChannelCountsInfAndHasNoMean) {
    Tensor t = generate({2, 2, 1, 3}, Generator::Normal, 5);
    for (int64_t n = 0; n < 2; ++n)
        for (int64_t w = 0; w < 3; ++w) t.at({n, 0, 0, w}) = (w % 2 ? kInf : -kInf);
    const auto got = summarize_channels(t);
    expect_matches(t, got);
    EXPECT_EQ(got[0].inf_count, 6);
    EXPECT_EQ(got[0].nan_count, 0);
    EXPECT_TRUE(std::isnan(got[0].max));
}

TEST(ChannelSummary, ConstantChannelHasStdExactlyZero) {
    Tensor t = generate({7, 3, 5, 5}, Generator::Normal, 2);
    for (int64_t n = 0; n < 7; ++n)
        for (int64_t h = 0; h < 5; ++h)
            for (int64_t w = 0; w < 5; ++w) t.at({n, 2, h, w}) = 3.1f;
    const auto got = summarize_channels(t);
    expect_matches(t, got);
    EXPECT_EQ(got[2].std, 0.0);
    EXPECT_EQ(got[2].mean, static_cast<double>(3.1f));
    EXPECT_EQ(got[2].min, got[2].max);
}

TEST(ChannelSummary, LargeOffsetKeepsItsStd) {
    // 1e4 + N(0, 1): E[x^2] - E[x]^2 in float32 would lose every digit of the variance here.
    Tensor t = generate({8, 4, 16, 16}, Generator::LargeOffset, 7);
    const auto got = summarize_channels(t);
    expect_matches(t, got);
    for (const ChannelSummary& s : got) {
        EXPECT_GT(s.std, 0.7);
        EXPECT_LT(s.std, 1.3);
        EXPECT_NEAR(s.mean, 1e4, 1.0);
    }
}

TEST(ChannelSummary, Float64SourceIsSummarizedFromItsExactValues) {
    // 1 + k·1e-12 is 1.0f for every k: only the float64 values have a spread.
    Tensor t = make_tensor({2, 2, 1, 4});
    t.data64.resize(t.data.size());
    for (size_t i = 0; i < t.data.size(); ++i) {
        t.data64[i] = 1.0 + static_cast<double>(i) * 1e-12;
        t.data[i] = static_cast<float>(t.data64[i]);
    }
    ASSERT_TRUE(t.has_exact64());
    const auto got = summarize_channels(t);
    expect_matches(t, got);
    EXPECT_GT(got[0].std, 1e-12);
    EXPECT_GT(got[0].max, got[0].min);
}

TEST(ChannelSummary, NcAndSingleSampleShapes) {
    for (Shape s : {Shape{5, 3, 1, 1}, Shape{1, 4, 2, 3}, Shape{1, 1, 1, 1}}) {
        Tensor t = generate(s, Generator::Normal, 9);
        expect_matches(t, summarize_channels(t));
    }
    Tensor one = generate({1, 1, 1, 1}, Generator::Normal, 9);
    EXPECT_EQ(summarize_channels(one)[0].std, 0.0);
}

TEST(ChannelSummary, SameForEveryThreadCount) {
    Tensor t = generate({4, 16, 32, 32}, Generator::Normal, 4);  // above the grain
    t.at({1, 3, 4, 5}) = kNan;
    const auto one = summarize_channels(t, 1);
    for (int threads : {2, 5, 16}) {
        const auto many = summarize_channels(t, threads);
        ASSERT_EQ(many.size(), one.size());
        for (size_t c = 0; c < one.size(); ++c) {
            EXPECT_EQ(many[c].mean, one[c].mean);
            EXPECT_EQ(many[c].std, one[c].std);
            EXPECT_EQ(many[c].nan_count, one[c].nan_count);
        }
    }
}

TEST(ChannelSummary, SortOrdersByColumnWithNanLastAndTiesByChannel) {
    std::vector<ChannelSummary> s(4);
    s[0].mean = 2, s[1].mean = NAN, s[2].mean = -1, s[3].mean = 2;
    s[0].nan_count = 0, s[1].nan_count = 8, s[2].nan_count = 1, s[3].nan_count = 0;
    EXPECT_EQ(sort_channels(s, ChannelColumn::Mean, false), (std::vector<int64_t>{2, 0, 3, 1}));
    EXPECT_EQ(sort_channels(s, ChannelColumn::Mean, true), (std::vector<int64_t>{0, 3, 2, 1}));
    EXPECT_EQ(sort_channels(s, ChannelColumn::Nan, true), (std::vector<int64_t>{1, 2, 0, 3}));
    EXPECT_EQ(sort_channels(s, ChannelColumn::Channel, true), (std::vector<int64_t>{3, 2, 1, 0}));
    EXPECT_TRUE(sort_channels({}, ChannelColumn::Std, false).empty());
}
