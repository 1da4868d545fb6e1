// Colour scales of raw values: which value range the palette spans (symmetric around 0,
// min-max, 1-99 % percentiles, or each channel its own), chosen from a tensor's
// core::ValueSummary, which is computed once per tensor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/value_range.h"

namespace normviz::app {

enum class ColorScale {
    Symmetric,          // -m .. m with m = max |x| when the values straddle 0, else min .. max
    MinMax,             // min .. max of the finite values
    Percentile,         // the 1st .. 99th percentile; values beyond take the end colours
    ChannelMinMax,      // each channel its own min .. max
    ChannelPercentile,  // each channel its own 1st .. 99th percentile
};
inline constexpr ColorScale kAllColorScales[] = {ColorScale::Symmetric, ColorScale::MinMax, ColorScale::Percentile,
                                                 ColorScale::ChannelMinMax, ColorScale::ChannelPercentile};

// "symmetric", "min-max", "percentile", "channel-min-max", "channel-percentile": as scene
// files and --color-scale name them.
const char* color_scale_name(ColorScale scale);
std::optional<ColorScale> parse_color_scale(const std::string& name);
// Words for the combo box: "symmetric around 0", "min \u2013 max", ...
const char* color_scale_label(ColorScale scale);
bool is_per_channel(ColorScale scale);

// Raw value x takes palette position t = (x - center) / half_range in [-1, 1] (clamped).
struct ColorRange {
    float center = 0, half_range = 1;
    double low() const { return static_cast<double>(center) - half_range; }  // double: no overflow
    double high() const { return static_cast<double>(center) + half_range; }
    float t_of(double x) const { return static_cast<float>((x - center) / half_range); }
    bool operator==(const ColorRange&) const = default;
};

// The range that maps lo .. hi onto the palette (computed in double, so values near the float
// limits do not overflow); an empty or invalid span (a constant) gets half_range 1 around its
// value, so every value there takes the middle colour.
ColorRange range_between(double lo, double hi);
// The range that scale `scale` gives the whole tensor. For the per-channel scales this is the
// range over all channels (what a view without per-channel colours, the cube, uses).
ColorRange tensor_color_range(const core::ValueSummary& summary, ColorScale scale);
// Per channel c, the range of a per-channel scale; empty for the others. A channel without a
// finite value gets the tensor's range.
std::vector<ColorRange> channel_color_ranges(const core::ValueSummary& summary, ColorScale scale);

}  // namespace normviz::app
