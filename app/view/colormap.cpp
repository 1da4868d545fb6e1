// Colour map control points from ColorBrewer (Cynthia Brewer, colorbrewer2.org), linearly
// interpolated in sRGB.
#include "app/view/colormap.h"

#include <algorithm>
#include <cmath>

namespace normviz::app {

namespace {

constexpr Rgb kBlueRed[] = {{5, 48, 97},     {33, 102, 172}, {67, 147, 195}, {146, 197, 222}, {247, 247, 247},
                            {244, 165, 130}, {214, 96, 77},  {178, 24, 43},  {103, 0, 31}};
constexpr Rgb kBlueOrange[] = {{45, 0, 75},    {84, 39, 136},  {128, 115, 172}, {178, 171, 210}, {247, 247, 247},
                               {254, 184, 99}, {224, 130, 20}, {179, 88, 6},    {127, 59, 8}};

}  // namespace

GroupTransform group_transform(double mean, double spread, double eps) {
    const double denom = std::sqrt(spread + eps);
    const double scale = 1.0 / denom;
    double pre = 1;
    // Thresholds far inside the float range (2^+-126): |x| <= 2^128 times 2^-64 stays well
    // inside it, and so do 2^64 / denom and mean * pre. A group with denom > 2^100 has values
    // of at least 2^100 / sqrt(count); values much smaller than that normalize to about 0
    // whether or not x * pre underflows.
    if (std::isfinite(scale) && denom > 0x1p100) pre = 0x1p-64;
    if (std::isfinite(scale) && scale > 0x1p100) pre = 0x1p64;
    return {static_cast<float>(mean * pre), static_cast<float>(scale / pre), static_cast<float>(pre)};
}

Rgb palette_color(Palette palette, float t) {
    const Rgb* stops = palette == Palette::BlueRed ? kBlueRed : kBlueOrange;
    constexpr int kStops = 9;
    float u = (std::clamp(std::isnan(t) ? 0.0f : t, -1.0f, 1.0f) + 1.0f) * 0.5f * (kStops - 1);
    int i = std::min(kStops - 2, static_cast<int>(u));
    float f = u - i;
    auto mix = [f](uint8_t a, uint8_t b) { return static_cast<uint8_t>(std::lround(a + (b - a) * f)); };
    return {mix(stops[i].r, stops[i + 1].r), mix(stops[i].g, stops[i + 1].g), mix(stops[i].b, stops[i + 1].b)};
}

std::vector<uint8_t> palette_lut(Palette palette, int size) {
    std::vector<uint8_t> out;
    out.reserve(size * 3);
    for (int i = 0; i < size; ++i) {
        Rgb c = palette_color(palette, -1.0f + 2.0f * i / (size - 1));
        out.insert(out.end(), {c.r, c.g, c.b});
    }
    return out;
}

}  // namespace normviz::app
