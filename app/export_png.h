// Export of the current view as a PNG of any size up to 3840 x 2160, drawn off screen by the
// TensorRenderer (the same shader as the window), one canvas per shown norm side by side.
#pragma once

#include <string>

#include "app/app_state.h"
#include "core/result.h"

namespace normviz::app {

class TensorRenderer;

inline constexpr int kExportMaxWidth = 3840, kExportMaxHeight = 2160;

// Draws every shown panel's picture into a width x height image (panels in the grid that
// gives the largest cells, on the canvas background) and writes it as PNG. Needs the GL
// context current. Errors: size outside 16..3840 x 16..2160, nothing to draw, write failure.
core::Status export_view_png(const AppState& state, TensorRenderer& renderer, const std::string& path, int width,
                             int height);

}  // namespace normviz::app
