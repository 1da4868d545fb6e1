// The ImGui panels of the desktop program. Each draws from AppState and edits only the
// scene and UI fields; derived data is recomputed afterwards in update_derived().
#pragma once

#include "app/app_state.h"

namespace normviz::app {

class TensorRenderer;

// Screen rectangle of a norm panel (header + canvas), kept for panel screenshots and tests.
struct PanelRect {
    float x = 0, y = 0, w = 0, h = 0;            // whole panel
    float canvas_x = 0, canvas_y = 0, canvas_w = 0, canvas_h = 0;  // the picture
};

// Where the fixed panels go this frame (computed from the display size).
struct FrameLayout {
    float menu_height = 0;
    float left = 0, right = 0;  // widths of the controls and statistics sidebars
};

void draw_menu_bar(AppState& state);
FrameLayout compute_frame_layout(const AppState& state);
void draw_controls_panel(AppState& state, const FrameLayout& frame);
void draw_stats_panel(AppState& state, const FrameLayout& frame);
// Draws every shown norm's canvas; fills `rects` (one per shown norm).
void draw_canvas_area(AppState& state, const FrameLayout& frame, TensorRenderer& renderer,
                      std::vector<PanelRect>& rects);
void draw_help_window(AppState& state);
// Keyboard shortcuts, when ImGui does not want the keyboard.
void handle_shortcuts(AppState& state);

}  // namespace normviz::app
