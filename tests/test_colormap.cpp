// Colour maps: ColorBrewer endpoints and midpoint, clamping, NaN, and the lookup table the
// shader and the legend share.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "app/view/colormap.h"

namespace {

using normviz::app::Palette;
using normviz::app::palette_color;
using normviz::app::palette_lut;
using normviz::app::Rgb;

bool same(Rgb a, Rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

std::string str(Rgb c) {
    return "(" + std::to_string(c.r) + ", " + std::to_string(c.g) + ", " + std::to_string(c.b) + ")";
}

#define EXPECT_RGB(actual, R, G, B)           \
    EXPECT_TRUE(same((actual), Rgb{R, G, B})) \
        << #actual << " = " << str(actual) << ", want (" << R << ", " << G << ", " << B << ")"

TEST(Colormap, BlueRedEndpointsAndMiddleAreColorBrewerStops) {
    EXPECT_RGB(palette_color(Palette::BlueRed, -1.0f), 5, 48, 97);  // RdBu darkest blue
    EXPECT_RGB(palette_color(Palette::BlueRed, 0.0f), 247, 247, 247);
    EXPECT_RGB(palette_color(Palette::BlueRed, 1.0f), 103, 0, 31);  // RdBu darkest red
}

TEST(Colormap, BlueOrangeEndpointsAndMiddleAreColorBrewerStops) {
    EXPECT_RGB(palette_color(Palette::BlueOrange, -1.0f), 45, 0, 75);
    EXPECT_RGB(palette_color(Palette::BlueOrange, 0.0f), 247, 247, 247);
    EXPECT_RGB(palette_color(Palette::BlueOrange, 1.0f), 127, 59, 8);
}

TEST(Colormap, InnerStopsAreHitExactly) {
    // Nine stops at t = -1 + k / 4.
    EXPECT_RGB(palette_color(Palette::BlueRed, -0.75f), 33, 102, 172);
    EXPECT_RGB(palette_color(Palette::BlueRed, -0.25f), 146, 197, 222);
    EXPECT_RGB(palette_color(Palette::BlueRed, 0.25f), 244, 165, 130);
    EXPECT_RGB(palette_color(Palette::BlueRed, 0.75f), 178, 24, 43);
    EXPECT_RGB(palette_color(Palette::BlueOrange, 0.5f), 224, 130, 20);
}

TEST(Colormap, InterpolatesLinearlyBetweenStops) {
    // Halfway between (5, 48, 97) and (33, 102, 172): (19, 75, 134.5 -> 135).
    EXPECT_RGB(palette_color(Palette::BlueRed, -0.875f), 19, 75, 135);
}

TEST(Colormap, NegativeIsBluePositiveIsRed) {
    for (float t : {-0.9f, -0.5f, -0.1f}) {
        Rgb c = palette_color(Palette::BlueRed, t);
        EXPECT_GT(c.b, c.r) << "t = " << t;
    }
    for (float t : {0.1f, 0.5f, 0.9f}) {
        Rgb c = palette_color(Palette::BlueRed, t);
        EXPECT_GT(c.r, c.b) << "t = " << t;
    }
}

TEST(Colormap, ClampsOutsideMinusOneToOne) {
    for (Palette p : {Palette::BlueRed, Palette::BlueOrange}) {
        const Rgb lo = palette_color(p, -1.0f), hi = palette_color(p, 1.0f);
        for (float t : {-1.0001f, -2.0f, -1e30f, -std::numeric_limits<float>::infinity()})
            EXPECT_TRUE(same(palette_color(p, t), lo)) << "t = " << t;
        for (float t : {1.0001f, 2.0f, 1e30f, std::numeric_limits<float>::infinity()})
            EXPECT_TRUE(same(palette_color(p, t), hi)) << "t = " << t;
    }
}

TEST(Colormap, NanGivesTheNeutralMiddle) {
    for (Palette p : {Palette::BlueRed, Palette::BlueOrange}) {
        EXPECT_RGB(palette_color(p, std::numeric_limits<float>::quiet_NaN()), 247, 247, 247);
        EXPECT_RGB(palette_color(p, -std::numeric_limits<float>::quiet_NaN()), 247, 247, 247);
    }
}

TEST(Colormap, LutHasThreeBytesPerEntryAndAgreesWithPaletteColor) {
    for (Palette p : {Palette::BlueRed, Palette::BlueOrange})
        for (int size : {2, 3, 9, 17, 256}) {
            const std::vector<uint8_t> lut = palette_lut(p, size);
            ASSERT_EQ(lut.size(), static_cast<size_t>(size) * 3);
            for (int i = 0; i < size; ++i) {
                const Rgb c = palette_color(p, -1.0f + 2.0f * i / (size - 1));
                EXPECT_EQ(lut[i * 3 + 0], c.r) << "size " << size << " entry " << i;
                EXPECT_EQ(lut[i * 3 + 1], c.g) << "size " << size << " entry " << i;
                EXPECT_EQ(lut[i * 3 + 2], c.b) << "size " << size << " entry " << i;
            }
            // First and last entries are the end stops.
            const Rgb first = palette_color(p, -1.0f), last = palette_color(p, 1.0f);
            EXPECT_EQ(lut[0], first.r);
            EXPECT_EQ(lut[2], first.b);
            EXPECT_EQ(lut[(size - 1) * 3 + 0], last.r);
            EXPECT_EQ(lut[(size - 1) * 3 + 2], last.b);
        }
}

TEST(Colormap, OddLutHasTheNeutralColourInTheMiddle) {
    const std::vector<uint8_t> lut = palette_lut(Palette::BlueRed, 257);
    EXPECT_EQ(lut[128 * 3 + 0], 247);
    EXPECT_EQ(lut[128 * 3 + 1], 247);
    EXPECT_EQ(lut[128 * 3 + 2], 247);
}

TEST(Colormap, EmptyLutForSizeZero) { EXPECT_TRUE(palette_lut(Palette::BlueRed, 0).empty()); }

}  // namespace

// The shader's per-group transform, evaluated in float as the GPU does (with denormals
// flushed to zero, as llvmpipe and most GPUs do), against the normalized value in double.
namespace transform_test {

using normviz::app::group_transform;

float flush(float v) { return std::fpclassify(v) == FP_SUBNORMAL ? 0.0f : v; }

float shader_value(float x, const normviz::app::GroupTransform& t) {
    const float pre = flush(t.pre), shift = flush(t.shift), scale = flush(t.scale);
    const float scaled = flush(flush(x) * pre);
    return flush(flush(scaled - shift) * scale);
}

void expect_close(double mean, double spread, double eps, float x) {
    const double want = (x - mean) / std::sqrt(spread + eps);
    const float got = shader_value(x, group_transform(mean, spread, eps));
    EXPECT_TRUE(std::isfinite(got)) << "x = " << x << ", mean = " << mean << ", spread = " << spread;
    EXPECT_NEAR(got, want, 1e-5 * (1 + std::abs(want))) << "x = " << x << ", mean = " << mean;
}

TEST(GroupTransform, OrdinaryDataIsUnscaled) {
    const auto t = group_transform(0.5, 4.0, 1e-5);
    EXPECT_EQ(t.pre, 1.0f);
    EXPECT_EQ(t.shift, 0.5f);
    EXPECT_FLOAT_EQ(t.scale, static_cast<float>(1 / std::sqrt(4.0 + 1e-5)));
    expect_close(0.5, 4.0, 1e-5, 2.5f);
}

TEST(GroupTransform, ValuesNearTheFloatLimitDoNotOverflowOrFlushToZero) {
    // +-3e38 in one group: x - mean is 6e38 (Inf in float) and 1 / 3e38 a denormal.
    expect_close(1.875e37, 8.96484e76, 1e-5, 3e38f);
    expect_close(1.875e37, 8.96484e76, 1e-5, -3e38f);
    expect_close(0.0, 9e76, 0.0, 3.4e38f);
    expect_close(2.2e38, 1.44e76, 1e-5, 1e38f);     // all positive and large
    expect_close(double(3e38f), 0.0, 1e-5, 3e38f);  // constant at 3e38: x_hat = 0
}

TEST(GroupTransform, TinySpreadWithEpsZero) {
    expect_close(1e-37, 1e-80, 0.0, 1.2e-37f);  // 1 / std = 1e40 is beyond float
    expect_close(0.0, 1e-60, 0.0, 1e-30f);
}

TEST(GroupTransform, NonFiniteStatisticsStayNonFinite) {
    EXPECT_TRUE(std::isnan(shader_value(1.0f, group_transform(NAN, NAN, 1e-5))));
    EXPECT_TRUE(std::isnan(shader_value(2.5f, group_transform(2.5, 0.0, 0.0))));  // 0/0, as in double
}

}  // namespace transform_test
