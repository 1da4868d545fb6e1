// The Train panel's plot axes (app/view/plot_axes.h): ranges that cover the data with round
// ends, ticks at 1-2-5 steps, labels with the digits the step needs.
#include <gtest/gtest.h>

#include <cmath>

#include "app/view/plot_axes.h"

namespace normviz::app {
namespace {

TEST(PlotAxes, RangeCoversTheValuesWithRoundEnds) {
    const AxisRange r = axis_range({0.37, 1.42, 0.9}, false);
    EXPECT_LE(r.lo, 0.37);
    EXPECT_GE(r.hi, 1.42);
    EXPECT_DOUBLE_EQ(r.lo, 0.0);  // step 0.5 for a span of 1.05 in about four steps
    EXPECT_DOUBLE_EQ(r.hi, 1.5);
}

TEST(PlotAxes, FromZeroNaNAndFlatData) {
    EXPECT_DOUBLE_EQ(axis_range({0.3, 0.7}, true).lo, 0.0);
    const AxisRange nan_only = axis_range({NAN, INFINITY}, false);
    EXPECT_EQ(nan_only.lo, 0);
    EXPECT_EQ(nan_only.hi, 1);
    const AxisRange flat = axis_range({2.5, 2.5, NAN}, false);
    EXPECT_DOUBLE_EQ(flat.lo, 1.5);
    EXPECT_DOUBLE_EQ(flat.hi, 3.5);
}

TEST(PlotAxes, TicksAreOneTwoFiveStepsInsideTheRange) {
    const std::vector<double> ticks = axis_ticks({0, 0.75}, 5);
    ASSERT_EQ(ticks.size(), 4u);  // step 0.2: 0, 0.2, 0.4, 0.6
    EXPECT_DOUBLE_EQ(ticks[1], 0.2);
    EXPECT_NEAR(ticks[3], 0.6, 1e-12);
    const std::vector<double> epochs = axis_ticks({1, 30}, 6);
    EXPECT_DOUBLE_EQ(epochs.front(), 10);  // step 10
    EXPECT_DOUBLE_EQ(epochs.back(), 30);
    for (double t : axis_ticks({-3.7, 12.2}, 8)) EXPECT_TRUE(t >= -3.7 && t <= 12.2) << t;
    EXPECT_LE(axis_ticks({-3.7, 12.2}, 8).size(), 8u);
}

TEST(PlotAxes, LabelsUseTheDigitsTheStepNeeds) {
    EXPECT_EQ(tick_label(0.25, 0.05), "0.25");
    EXPECT_EQ(tick_label(0.2, 0.2), "0.2");
    EXPECT_EQ(tick_label(20, 10), "20");
    EXPECT_EQ(tick_label(0, 0.5), "0.0");
}

TEST(PlotAxes, Log2AxisSpansPowersOfTwoWithATickAtEach) {
    const AxisRange batches = log2_axis_range({2, 4, 8, 16, 32, NAN, -1, 0});
    EXPECT_DOUBLE_EQ(batches.lo, 2);
    EXPECT_DOUBLE_EQ(batches.hi, 32);
    EXPECT_EQ(log2_axis_ticks(batches, 9), (std::vector<double>{2, 4, 8, 16, 32}));
    const AxisRange between = log2_axis_range({3, 20});
    EXPECT_DOUBLE_EQ(between.lo, 2);
    EXPECT_DOUBLE_EQ(between.hi, 32);
    const AxisRange one = log2_axis_range({8});
    EXPECT_DOUBLE_EQ(one.lo, 4);
    EXPECT_DOUBLE_EQ(one.hi, 16);
    const AxisRange none = log2_axis_range({NAN, -2});
    EXPECT_DOUBLE_EQ(none.lo, 1);
    EXPECT_DOUBLE_EQ(none.hi, 2);
    // Many octaves: every second (fourth, ...) power of two, at most max_ticks.
    const std::vector<double> wide = log2_axis_ticks({1, 1024}, 6);
    EXPECT_EQ(wide, (std::vector<double>{1, 4, 16, 64, 256, 1024}));
    EXPECT_LE(log2_axis_ticks({1, 1 << 20}, 5).size(), 5u);
    EXPECT_TRUE(log2_axis_ticks({0, 8}, 5).empty());
    EXPECT_EQ(tick_label(16, 1), "16");
}

}  // namespace
}  // namespace normviz::app
