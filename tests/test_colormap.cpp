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

#define EXPECT_RGB(actual, R, G, B) \
    EXPECT_TRUE(same((actual), Rgb{R, G, B})) << #actual << " = " << str(actual) << ", want (" << R << ", " << G << ", " << B << ")"

TEST(Colormap, BlueRedEndpointsAndMiddleAreColorBrewerStops) {
    EXPECT_RGB(palette_color(Palette::BlueRed, -1.0f), 5, 48, 97);   // RdBu darkest blue
    EXPECT_RGB(palette_color(Palette::BlueRed, 0.0f), 247, 247, 247);
    EXPECT_RGB(palette_color(Palette::BlueRed, 1.0f), 103, 0, 31);   // RdBu darkest red
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
