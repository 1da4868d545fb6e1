// Colour scales: names, and the ranges they pick from a value summary.
#include "app/view/color_scale.h"

#include <algorithm>
#include <cmath>

namespace normviz::app {

const char* color_scale_name(ColorScale scale) {
    switch (scale) {
        case ColorScale::Symmetric: return "symmetric";
        case ColorScale::MinMax: return "min-max";
        case ColorScale::Percentile: return "percentile";
        case ColorScale::ChannelMinMax: return "channel-min-max";
        case ColorScale::ChannelPercentile: return "channel-percentile";
    }
    return "symmetric";
}

std::optional<ColorScale> parse_color_scale(const std::string& name) {
    for (ColorScale s : kAllColorScales)
        if (name == color_scale_name(s)) return s;
    return std::nullopt;
}

const char* color_scale_label(ColorScale scale) {
    switch (scale) {
        case ColorScale::Symmetric: return "symmetric around 0";
        case ColorScale::MinMax: return "min \u2013 max";
        case ColorScale::Percentile: return "1 \u2013 99 % (clipped)";
        case ColorScale::ChannelMinMax: return "per channel min \u2013 max";
        case ColorScale::ChannelPercentile: return "per channel 1 \u2013 99 %";
    }
    return "";
}

bool is_per_channel(ColorScale scale) {
    return scale == ColorScale::ChannelMinMax || scale == ColorScale::ChannelPercentile;
}

ColorRange range_between(double lo, double hi) {
    ColorRange r;
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) return r;
    r.center = static_cast<float>(0.5 * (lo + hi));
    r.half_range = static_cast<float>(0.5 * (hi - lo));
    // A constant (or a span that rounds to nothing in float): every value in the middle.
    if (!(r.half_range > 0) || !std::isfinite(r.half_range)) r.half_range = 1;
    return r;
}

ColorRange tensor_color_range(const core::ValueSummary& summary, ColorScale scale) {
    const core::ValueSpan& all = summary.all;
    if (all.count == 0) return {};
    switch (scale) {
        case ColorScale::Symmetric:
            // Data on both sides of 0 keep 0 at the palette's neutral middle; data of one sign
            // would use only half the palette, so they span min .. max instead.
            if (all.min < 0 && all.max > 0) {
                ColorRange r;
                r.center = 0;
                r.half_range = static_cast<float>(std::max(-all.min, all.max));
                return r;
            }
            return range_between(all.min, all.max);
        case ColorScale::MinMax:
        case ColorScale::ChannelMinMax: return range_between(all.min, all.max);
        case ColorScale::Percentile:
        case ColorScale::ChannelPercentile: return range_between(all.low, all.high);
    }
    return {};
}

std::vector<ColorRange> channel_color_ranges(const core::ValueSummary& summary, ColorScale scale) {
    if (!is_per_channel(scale)) return {};
    const ColorRange fallback = tensor_color_range(summary, scale);
    std::vector<ColorRange> out;
    out.reserve(summary.channels.size());
    for (const core::ValueSpan& c : summary.channels) {
        if (c.count == 0) out.push_back(fallback);
        else if (scale == ColorScale::ChannelMinMax) out.push_back(range_between(c.min, c.max));
        else out.push_back(range_between(c.low, c.high));
    }
    return out;
}

}  // namespace normviz::app
