// Colour scales of raw values (app/view/color_scale.h): names, the range each scale picks
// from a value summary (the symmetric one as before), degenerate spans, per-channel ranges.
#include <gtest/gtest.h>

#include <cmath>

#include "app/view/color_scale.h"

namespace {

using normviz::app::channel_color_ranges;
using normviz::app::color_scale_name;
using normviz::app::ColorRange;
using normviz::app::ColorScale;
using normviz::app::is_per_channel;
using normviz::app::kAllColorScales;
using normviz::app::parse_color_scale;
using normviz::app::range_between;
using normviz::app::tensor_color_range;
using normviz::core::ValueSpan;
using normviz::core::ValueSummary;

ValueSpan span(double min, double max, double low, double high) { return {100, min, max, low, high}; }

ValueSummary summary(ValueSpan all, std::vector<ValueSpan> channels = {}) {
    ValueSummary v;
    v.all = all;
    v.channels = std::move(channels);
    return v;
}

TEST(ColorScale, NamesRoundTripAndUnknownNamesFail) {
    for (ColorScale s : kAllColorScales) EXPECT_EQ(parse_color_scale(color_scale_name(s)), s);
    EXPECT_FALSE(parse_color_scale("log").has_value());
    EXPECT_FALSE(parse_color_scale("").has_value());
    EXPECT_TRUE(is_per_channel(ColorScale::ChannelMinMax));
    EXPECT_TRUE(is_per_channel(ColorScale::ChannelPercentile));
    EXPECT_FALSE(is_per_channel(ColorScale::Percentile));
}

TEST(ColorScale, SymmetricKeepsZeroInTheMiddleForSignedData) {
    const ColorRange r = tensor_color_range(summary(span(-3, 1, -2, 0.5)), ColorScale::Symmetric);
    EXPECT_EQ(r.center, 0.0f);
    EXPECT_EQ(r.half_range, 3.0f);
    EXPECT_FLOAT_EQ(r.t_of(-3), -1.0f);
}

TEST(ColorScale, SymmetricOfOneSignedDataSpansMinToMax) {
    const ColorRange r = tensor_color_range(summary(span(0, 8, 0, 2)), ColorScale::Symmetric);
    EXPECT_EQ(r.center, 4.0f);
    EXPECT_EQ(r.half_range, 4.0f);
}

TEST(ColorScale, MinMaxAndPercentileMapTheirEndsToTheEndsOfThePalette) {
    const ValueSummary v = summary(span(-1, 9, 0, 3));  // post-ReLU-like: a long right tail
    const ColorRange minmax = tensor_color_range(v, ColorScale::MinMax);
    EXPECT_FLOAT_EQ(minmax.t_of(-1), -1.0f);
    EXPECT_FLOAT_EQ(minmax.t_of(9), 1.0f);
    const ColorRange clipped = tensor_color_range(v, ColorScale::Percentile);
    EXPECT_FLOAT_EQ(clipped.t_of(0), -1.0f);
    EXPECT_FLOAT_EQ(clipped.t_of(3), 1.0f);
    EXPECT_DOUBLE_EQ(clipped.low(), 0.0);
    EXPECT_DOUBLE_EQ(clipped.high(), 3.0);
    EXPECT_GT(clipped.t_of(9), 1.0f);  // beyond the 99th percentile: clamped by the palette
}

TEST(ColorScale, ConstantOrEmptyDataGetsAPositiveHalfRange) {
    const ColorRange constant = tensor_color_range(summary(span(2.5, 2.5, 2.5, 2.5)), ColorScale::MinMax);
    EXPECT_EQ(constant.center, 2.5f);
    EXPECT_EQ(constant.half_range, 1.0f);
    const ColorRange none = tensor_color_range(ValueSummary{}, ColorScale::Percentile);
    EXPECT_EQ(none.center, 0.0f);
    EXPECT_EQ(none.half_range, 1.0f);
    EXPECT_EQ(range_between(NAN, 1).half_range, 1.0f);
    EXPECT_EQ(range_between(2, 1).half_range, 1.0f);
}

TEST(ColorScale, ValuesNearTheFloatLimitsDoNotOverflow) {
    const ColorRange r = range_between(1e38, 3.4e38);
    EXPECT_TRUE(std::isfinite(r.center));
    EXPECT_NEAR(r.center, 2.2e38, 1e33);
    EXPECT_NEAR(r.half_range, 1.2e38, 1e33);
    const ColorRange wide = range_between(-3.4e38, 3.4e38);
    EXPECT_TRUE(std::isfinite(wide.half_range));
    EXPECT_TRUE(std::isfinite(wide.high()));
}

TEST(ColorScale, PerChannelScalesGiveEachChannelItsOwnRange) {
    const ValueSummary v = summary(span(-5, 50, -4, 40), {span(-5, 5, -4, 4), span(10, 50, 12, 40), ValueSpan{}});
    EXPECT_TRUE(channel_color_ranges(v, ColorScale::Percentile).empty());
    const auto minmax = channel_color_ranges(v, ColorScale::ChannelMinMax);
    ASSERT_EQ(minmax.size(), 3u);
    EXPECT_DOUBLE_EQ(minmax[0].low(), -5);
    EXPECT_DOUBLE_EQ(minmax[1].low(), 10);
    EXPECT_DOUBLE_EQ(minmax[1].high(), 50);
    EXPECT_EQ(minmax[2], tensor_color_range(v, ColorScale::ChannelMinMax));  // no finite value: the tensor's
    const auto clipped = channel_color_ranges(v, ColorScale::ChannelPercentile);
    EXPECT_DOUBLE_EQ(clipped[1].low(), 12);
    EXPECT_DOUBLE_EQ(clipped[1].high(), 40);
    // The tensor-wide range of a per-channel scale (what the cube view uses).
    EXPECT_DOUBLE_EQ(tensor_color_range(v, ColorScale::ChannelPercentile).low(), -4);
}

}  // namespace
