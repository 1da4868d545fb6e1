// Export of the current view as a PNG of any size up to 3840 x 2160: the canvas area as the
// window draws it (grid or cubes, with panel titles, labels and the colour bar), in an extra
// frame drawn off screen at that size, with text scaled like a slide (slide_font_size).
#pragma once

#include <string>

#include "app/state/app_state.h"
#include "core/result.h"

namespace normviz::app {

class TensorRenderer;
class Window;

// Draws the canvas area (no menus, sidebars, lessons strip or dialogs; the camera fitted to the
// picture) into a width x height image and writes it as PNG; the window's own view, font and
// camera are as before afterwards. Call between frames, with the GL context current. Errors:
// size outside 16..3840 x 16..2160, nothing to draw, write failure.
core::Status export_view_png(AppState& state, Window& window, TensorRenderer& renderer, const std::string& path,
                             int width, int height);

}  // namespace normviz::app
