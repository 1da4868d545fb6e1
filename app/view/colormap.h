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

// Colour for t in [-1, 1] (clamped).
Rgb palette_color(Palette palette, float t);
// `size` RGB triples for t from -1 to 1, for a 1-D texture.
std::vector<uint8_t> palette_lut(Palette palette, int size);

}  // namespace normviz::app
