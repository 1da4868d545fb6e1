// The batch-size sweep's figure (the Group Normalization paper's Figure 1): held-out error
// against batch size on a log2 axis, one line per norm, with a legend and hover values. The
// Train panel draws it, and `normviz render --train-sweep` draws it into a PNG
// (app/desktop/render_sweep.cpp).
#pragma once

#include "app/model/sweep_csv.h"

namespace normviz::app {

struct SweepFigureDrawn {
    int lines = 0, points = 0;  // series and finite points drawn
};

// Draws the figure at the cursor, as wide as the window's content and `height` pixels tall.
SweepFigureDrawn draw_sweep_figure(const SweepTable& table, float height);

}  // namespace normviz::app
