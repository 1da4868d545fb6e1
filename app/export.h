// Exports of the current view for slides, papers and handouts: the grid as SVG (vector: one
// rect per cell, labels, the focus's group outlined) and the statistics panel's numbers as
// CSV. Pure functions of AppState; the PNG export, which needs the renderer, is in
// export_png.h.
#pragma once

#include <string>

#include "app/app_state.h"
#include "core/result.h"

namespace normviz::app {

struct SvgOptions {
    float cell_px = 24;          // one cell's side in SVG user units
    int64_t max_cells = 20000;   // per panel; larger tensors are refused (export PNG instead)
};

// Every shown panel (state.panels, derived data up to date) as one SVG document: panels
// stacked top to bottom, each with its title, sample and channel labels, a rect per cell
// coloured as on screen (palette, raw or normalized), cells outside the focus's group dimmed,
// the group outlined and the focus ringed (shape as well as colour). Error when a panel has
// more than max_cells cells.
core::Result<std::string> view_to_svg(const AppState& state, const SvgOptions& options = {});

// The statistics panel as CSV: a header line, then one row per shown norm with the focus's
// group (norm, G, group number and key, values pooled, mean, variance, std, mean of squares,
// x, x_hat, y), numbers with 17 significant digits; a norm that does not apply gives its
// error in the last column.
std::string stats_to_csv(const AppState& state);

// Writes text to `path` through a temporary file. Error names the path.
core::Status write_text_file(const std::string& path, const std::string& text);

}  // namespace normviz::app
