// One frame of the desktop program: events already taken, panels, canvases, ImGui, swap.
#pragma once

#include <cstdint>
#include <vector>

#include "app/state/app_state.h"
#include "app/ui/panels.h"

namespace normviz::app {

class Window;
class TensorRenderer;

// Draws one frame: shortcuts, dropped files, derived data, panels, canvases, ImGui, pending
// screenshots, swap. `rects` receives where each norm panel is.
void draw_frame(AppState& state, Window& window, TensorRenderer& renderer, std::vector<PanelRect>& rects,
                uint64_t frame);

}  // namespace normviz::app
