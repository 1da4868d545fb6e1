// Exports of the current view for slides, papers and handouts: the grid as SVG (vector: one
// rect per cell, labels, the focus's group outlined), the statistics panel's numbers and the
// lesson step's table as CSV, and the text size of a slide. Pure functions of AppState; the
// PNG export, which needs the renderer, is in export_png.h.
#pragma once

#include <string>

#include "app/state/app_state.h"
#include "core/result.h"

namespace normviz::app {

// Largest PNG export (app/desktop/export_png.h): a 4K slide.
inline constexpr int kExportMaxWidth = 3840, kExportMaxHeight = 2160;

struct SvgOptions {
    float cell_px = 24;         // one cell's side in SVG user units
    int64_t max_cells = 20000;  // per panel; larger tensors are refused (export PNG instead)
};

// Every shown panel (state.panels, derived data up to date) as one SVG document: panels in
// the columns the window's grid view shows them (classroom.panel_columns; without a window,
// the columns that fit a 16:9 slide best), each a <g> moved into place, with its title,
// sample and channel labels, a rect per cell coloured as on screen (palette, raw or
// normalized), cells outside the focus's group dimmed, the group outlined and the focus
// ringed (shape as well as colour; during an unrevealed quiz no group). Errors: the cube
// view is shown (an SVG of the grid would not be the picture on screen), a panel has more
// than max_cells cells.
core::Result<std::string> view_to_svg(const AppState& state, const SvgOptions& options = {});

// The columns and rows of `count` panels, each panel_w x panel_h, that give the largest
// panels on a 16:9 page.
void svg_panel_grid(int count, float panel_w, float panel_h, int& cols, int& rows);

// The statistics panel as CSV: a header line, then one row per shown norm with the focus's
// group (norm, G, group number and key, values pooled, mean, variance, std, mean of squares,
// x, x_hat, y), numbers with 17 significant digits; a norm that does not apply gives its
// error in the last column. With a lesson shown, after an empty line, the step's table:
// "lesson,step,label,value" and one row for its headline and one per row of its numbers.
std::string stats_to_csv(AppState& state);

// Text size for a picture of width x height that reads like the window at 1920 x 1080 with
// `window_font`: scaled by the picture's size over 1080p (never below the window's, at most
// 48 px). A 3840 x 2160 slide gets twice the window's size.
float slide_font_size(float window_font, int width, int height);

// Writes text to `path` through a temporary file. Error names the path.
core::Status write_text_file(const std::string& path, const std::string& text);

}  // namespace normviz::app
