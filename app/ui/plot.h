// A small line plot drawn with ImGui's draw lists (ImPlot is not packaged for Debian 12): axes
// with round ticks (app/view/plot_axes.h), one line per series with its points, a legend, and
// the nearest point's value under the mouse.
#pragma once

#include <string>
#include <vector>

#include "app/view/colormap.h"

namespace normviz::app {

struct PlotSeries {
    std::string label;
    std::vector<double> x, y;  // same length; NaN y values are gaps
    Rgb color;
};

struct PlotStyle {
    const char* title = "";
    const char* x_label = "";
    float height = 160;  // pixels; the width is the window's
    bool y_from_zero = false;
    double y_scale = 1;         // values are shown multiplied by this (100: fractions as %)
    bool x_whole = false;       // x takes whole numbers only (epochs): no ticks between them
    bool x_log2 = false;        // x on a log2 scale (batch sizes), ticks at powers of two; x > 0
    bool legend_right = false;  // the legend beside the plot area rather than over its top right
};

// Draws the plot at the cursor and advances it. Returns the series hovered, or -1.
int draw_plot(const char* id, const std::vector<PlotSeries>& series, const PlotStyle& style);

// Distinct colours for runs 0, 1, 2, ... (cycled).
Rgb series_color(int index);

}  // namespace normviz::app
