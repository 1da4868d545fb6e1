// Value ranges (core/value_range.h): percentiles as numpy computes them, the radix select
// against a sort, per-tensor and per-channel summaries with NaN/Inf, thread independence,
// and the next non-finite element in memory order.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "core/generators.h"
#include "core/value_range.h"

namespace {

using normviz::core::finite_order_statistics;
using normviz::core::Index;
using normviz::core::make_tensor;
using normviz::core::next_non_finite;
using normviz::core::percentile_in_place;
using normviz::core::Shape;
using normviz::core::summarize_values;
using normviz::core::Tensor;
using normviz::core::ValueSummary;

// numpy.percentile(values, q) (method "linear") from a sorted copy.
double reference_percentile(std::vector<float> values, double q) {
    std::sort(values.begin(), values.end());
    const double pos = q / 100.0 * static_cast<double>(values.size() - 1);
    const size_t r0 = static_cast<size_t>(pos);
    const double frac = pos - static_cast<double>(r0);
    if (r0 + 1 >= values.size()) return values[r0];
    return values[r0] + (static_cast<double>(values[r0 + 1]) - values[r0]) * frac;
}

std::vector<float> finite_only(const std::vector<float>& v) {
    std::vector<float> out;
    for (float x : v)
        if (std::isfinite(x)) out.push_back(x);
    return out;
}

TEST(Percentile, MatchesNumpyLinearOnSmallLists) {
    // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 99, 100]) = 1, 1.75, 2.5, 3.97, 4.
    const std::vector<float> v = {4, 1, 3, 2};
    for (auto [q, want] : {std::pair{0.0, 1.0}, {25.0, 1.75}, {50.0, 2.5}, {99.0, 3.97}, {100.0, 4.0}}) {
        std::vector<float> copy = v;
        EXPECT_NEAR(percentile_in_place(copy, q), want, 1e-12) << "q = " << q;
    }
    std::vector<float> one = {7.5f};
    EXPECT_EQ(percentile_in_place(one, 1), 7.5);
    EXPECT_EQ(percentile_in_place(one, 99), 7.5);
}

TEST(Percentile, MatchesASortedCopyOnRandomData) {
    std::mt19937 rng(5);
    std::normal_distribution<float> normal(3.0f, 10.0f);
    for (size_t n : {2u, 3u, 101u, 1000u, 4097u}) {
        std::vector<float> v(n);
        for (float& x : v) x = normal(rng);
        for (double q : {0.0, 1.0, 37.5, 99.0, 100.0}) {
            std::vector<float> copy = v;
            EXPECT_DOUBLE_EQ(percentile_in_place(copy, q), reference_percentile(v, q)) << "n = " << n << " q = " << q;
        }
    }
}

TEST(OrderStatistics, RadixSelectAgreesWithSortIncludingSignsZerosDuplicatesAndOutliers) {
    std::mt19937 rng(11);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> v(50000);
    for (float& x : v) x = normal(rng);
    // Hard cases for a value histogram: huge outliers, denormals, both zeros, repeated values.
    v[3] = 3e38f;
    v[4] = -3e38f;
    v[5] = 1e-40f;
    v[6] = -1e-40f;
    v[7] = 0.0f;
    v[8] = -0.0f;
    for (int i = 100; i < 2000; ++i) v[i] = 0.25f;
    v[9] = NAN;
    v[10] = INFINITY;
    v[11] = -INFINITY;
    std::vector<float> sorted = finite_only(v);
    std::sort(sorted.begin(), sorted.end());
    const int64_t n = static_cast<int64_t>(sorted.size());
    const std::vector<int64_t> ranks = {0, 1, 2, n / 100, n / 2, n / 2 + 1, n - 3, n - 2, n - 1, 150};
    for (int threads : {1, 2, 3, 8}) {
        const std::vector<float> got =
            finite_order_statistics(v.data(), static_cast<int64_t>(v.size()), ranks, threads);
        ASSERT_EQ(got.size(), ranks.size());
        for (size_t r = 0; r < ranks.size(); ++r)
            EXPECT_EQ(got[r], sorted[static_cast<size_t>(ranks[r])]) << "rank " << ranks[r] << " threads " << threads;
    }
}

TEST(OrderStatistics, NoRanksNoWork) { EXPECT_TRUE(finite_order_statistics(nullptr, 0, {}).empty()); }

// A (N, C, H, W) tensor of normal values, with the non-finite values given.
Tensor random_tensor(const Shape& s, uint32_t seed) {
    Tensor t = make_tensor(s);
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 2.0f);
    for (float& x : t.data) x = normal(rng);
    return t;
}

TEST(SummarizeValues, CountsMinMaxAndPercentilesOfTheTensorAndEachChannel) {
    const Shape s{3, 4, 5, 7};
    Tensor t = random_tensor(s, 2);
    for (int64_t i = 0; i < s.numel(); ++i)
        if (normviz::core::unflat_index(s, i).c == 2) t.data[i] = std::abs(t.data[i]) + 100;  // a channel apart
    t.data[normviz::core::flat_index(s, {1, 1, 2, 3})] = NAN;
    t.data[normviz::core::flat_index(s, {0, 3, 0, 0})] = INFINITY;
    t.data[normviz::core::flat_index(s, {2, 0, 4, 6})] = -INFINITY;
    t.data[normviz::core::flat_index(s, {2, 3, 1, 1})] = NAN;
    const ValueSummary v = summarize_values(t);
    EXPECT_EQ(v.nan, 2);
    EXPECT_EQ(v.pos_inf, 1);
    EXPECT_EQ(v.neg_inf, 1);
    EXPECT_EQ(v.non_finite_count(), 4);
    const std::vector<int64_t> where = {
        normviz::core::flat_index(s, {0, 3, 0, 0}), normviz::core::flat_index(s, {1, 1, 2, 3}),
        normviz::core::flat_index(s, {2, 0, 4, 6}), normviz::core::flat_index(s, {2, 3, 1, 1})};
    EXPECT_EQ(v.non_finite, where);

    const std::vector<float> all = finite_only({t.data.begin(), t.data.end()});
    EXPECT_EQ(v.all.count, static_cast<int64_t>(all.size()));
    EXPECT_EQ(v.all.min, *std::min_element(all.begin(), all.end()));
    EXPECT_EQ(v.all.max, *std::max_element(all.begin(), all.end()));
    EXPECT_NEAR(v.all.low, reference_percentile(all, 1), 1e-6);
    EXPECT_NEAR(v.all.high, reference_percentile(all, 99), 1e-4);
    ASSERT_EQ(v.channels.size(), 4u);
    for (int64_t c = 0; c < s.C; ++c) {
        std::vector<float> values;
        for (int64_t i = 0; i < s.numel(); ++i)
            if (normviz::core::unflat_index(s, i).c == c && std::isfinite(t.data[i])) values.push_back(t.data[i]);
        const auto& span = v.channels[static_cast<size_t>(c)];
        EXPECT_EQ(span.count, static_cast<int64_t>(values.size())) << "c = " << c;
        EXPECT_EQ(span.min, *std::min_element(values.begin(), values.end()));
        EXPECT_EQ(span.max, *std::max_element(values.begin(), values.end()));
        EXPECT_DOUBLE_EQ(span.low, reference_percentile(values, 1)) << "c = " << c;
        EXPECT_DOUBLE_EQ(span.high, reference_percentile(values, 99)) << "c = " << c;
    }
    EXPECT_GT(v.channels[2].low, 99.0);  // the shifted channel has its own range
}

TEST(SummarizeValues, PostReluDataHasZeroLowPercentileAndAPositiveHighOne) {
    Tensor t = random_tensor({4, 8, 6, 6}, 3);
    for (float& x : t.data) x = std::max(x, 0.0f);
    const ValueSummary v = summarize_values(t);
    EXPECT_EQ(v.all.min, 0.0);
    EXPECT_EQ(v.all.low, 0.0);
    EXPECT_GT(v.all.high, 0.0);
    EXPECT_LT(v.all.high, v.all.max + 1e-9);
}

TEST(SummarizeValues, SameResultForEveryThreadCount) {
    Tensor t = random_tensor({8, 16, 32, 32}, 4);  // above the parallel grain
    t.data[777] = NAN;
    const ValueSummary one = summarize_values(t, 1);
    for (int threads : {2, 5}) {
        const ValueSummary many = summarize_values(t, threads);
        EXPECT_EQ(many.all.low, one.all.low);
        EXPECT_EQ(many.all.high, one.all.high);
        EXPECT_EQ(many.all.min, one.all.min);
        EXPECT_EQ(many.nan, one.nan);
        ASSERT_EQ(many.channels.size(), one.channels.size());
        for (size_t c = 0; c < one.channels.size(); ++c) {
            EXPECT_EQ(many.channels[c].low, one.channels[c].low);
            EXPECT_EQ(many.channels[c].high, one.channels[c].high);
        }
    }
}

TEST(SummarizeValues, AllNonFiniteOrEmptyGivesZeroSpans) {
    Tensor t = make_tensor({1, 2, 1, 2});
    t.data = {NAN, INFINITY, NAN, -INFINITY};
    const ValueSummary v = summarize_values(t);
    EXPECT_EQ(v.all.count, 0);
    EXPECT_EQ(v.all.min, 0.0);
    EXPECT_EQ(v.all.high, 0.0);
    EXPECT_EQ(v.nan, 2);
    EXPECT_EQ(v.channels[1].count, 0);
    EXPECT_EQ(summarize_values(Tensor{}).all.count, 0);
}

TEST(SummarizeValues, KeepsOnlyTheFirstNonFinitePositions) {
    Tensor t = make_tensor({2, 3, 20, 20});
    for (size_t i = 0; i < t.data.size(); i += 2) t.data[i] = NAN;
    const ValueSummary v = summarize_values(t);
    EXPECT_EQ(v.nan, static_cast<int64_t>(t.data.size() / 2));
    ASSERT_EQ(v.non_finite.size(), normviz::core::kNonFiniteKept);
    for (size_t k = 0; k < v.non_finite.size(); ++k) EXPECT_EQ(v.non_finite[k], static_cast<int64_t>(2 * k));
}

TEST(NextNonFinite, GoesForwardInMemoryOrderAndWrapsAround) {
    const Shape s{2, 3, 2, 2};
    Tensor t = make_tensor(s);
    const Index a{0, 1, 1, 0}, b{1, 0, 0, 1}, c{1, 2, 1, 1};
    t.at(a) = NAN;
    t.at(b) = INFINITY;
    t.at(c) = -INFINITY;
    EXPECT_EQ(next_non_finite(t, {0, 0, 0, 0}), a);
    EXPECT_EQ(next_non_finite(t, a), b);
    EXPECT_EQ(next_non_finite(t, b), c);
    EXPECT_EQ(next_non_finite(t, c), a);  // the last one wraps to the first
    EXPECT_EQ(next_non_finite(t, {1, 0, 0, 0}), b);
    EXPECT_EQ(next_non_finite(t, {5, 0, 0, 0}), a);  // outside the shape: from the start
}

TEST(NextNonFinite, AloneItComesBackToItselfAndFiniteDataHasNone) {
    Tensor t = make_tensor({1, 2, 3, 3});
    EXPECT_FALSE(next_non_finite(t, {0, 0, 0, 0}).has_value());
    t.at({0, 1, 2, 2}) = NAN;
    EXPECT_EQ(next_non_finite(t, {0, 1, 2, 2}), (Index{0, 1, 2, 2}));
    EXPECT_FALSE(next_non_finite(Tensor{}, {0, 0, 0, 0}).has_value());
}

}  // namespace
