// Diverging colour maps for values (negative blue, zero light, positive red), as a lookup
// table the shader samples and the legend draws from, so both show the same colours.
#pragma once

#include <cstdint>
#include <vector>

namespace normviz::app {

enum class Palette {
    BlueRed,     // ColorBrewer RdBu, reversed so that negative is blue
    BlueOrange,  // ColorBrewer PuOr-like; safe for red-green colour blindness
};

struct Rgb {
    uint8_t r, g, b;
};

// What the shaders compute per group to colour normalized values, in float:
// shown = (x * pre - shift) * scale, with shift = mean * pre and scale = 1 / sqrt(spread + eps)
// / pre (spread: the variance, or the mean square without centering; mean 0 then). `pre` is
// a power of two, 1 for ordinary data. The plain (x - mean) * scale overflows or underflows
// in float near the float limits: x - mean reaches 6e38 = Inf for data of +-3e38, and
// 1 / 3e38 is a denormal that GPUs flush to 0, so finite values would show as NaN/Inf or 0.
// Non-finite statistics pass through (pre = 1), so NaN and Inf groups stay NaN.
struct GroupTransform {
    float shift = 0, scale = 1, pre = 1;
};
GroupTransform group_transform(double mean, double spread, double eps);

// Colour for t in [-1, 1] (clamped).
Rgb palette_color(Palette palette, float t);
// `size` RGB triples for t from -1 to 1, for a 1-D texture.
std::vector<uint8_t> palette_lut(Palette palette, int size);

}  // namespace normviz::app
