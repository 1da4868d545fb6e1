// The ImGui panels of the desktop program. Each draws from AppState and edits only the
// scene and UI fields; derived data is recomputed afterwards in update_derived().
#pragma once

#include <functional>

#include "app/state/app_state.h"

struct ImDrawList;

namespace normviz::app {

class TensorRenderer;
struct CubeParams;  // app/render/cube_renderer.h (GL headers stay out of this one)

// Screen rectangle of a norm panel (header + canvas), kept for panel screenshots and tests.
struct PanelRect {
    float x = 0, y = 0, w = 0, h = 0;                              // whole panel
    float canvas_x = 0, canvas_y = 0, canvas_w = 0, canvas_h = 0;  // the picture
    // Labels drawn this frame against the blocks they belong to that are in view (the status
    // line reports them; a test checks that none goes missing, e.g. with presenter text).
    int sample_labels = 0, samples_in_view = 0;
    int device_labels = 0, devices_in_view = 0;
};

// Panel i of a grid of `cols` panels, each panel_w x panel_h from (x0, y0): a header of
// header_h, then a canvas of canvas_w x canvas_h (the grid and the cube view lay out alike).
inline PanelRect grid_panel_rect(int i, int cols, float x0, float y0, float panel_w, float panel_h, float header_h,
                                 float canvas_w, float canvas_h) {
    const float x = x0 + static_cast<float>(i % cols) * panel_w, y = y0 + static_cast<float>(i / cols) * panel_h;
    return {x, y, panel_w - 4, panel_h - 4, x, y + header_h, canvas_w, canvas_h};
}

// Where the fixed panels go this frame (computed from the display size).
struct FrameLayout {
    float menu_height = 0;
    float left = 0, right = 0;  // widths of the controls and statistics sidebars
    float bottom = 0;           // height of the lessons strip under the canvases (0: none)
};

// The window that holds the canvases (grid or cube): between the sidebars, under the menu,
// above the lessons strip. Begins it (the caller ends it) and returns its rectangle.
PanelRect begin_view_area(const FrameLayout& frame, const char* id);

void draw_menu_bar(AppState& state);
FrameLayout compute_frame_layout(const AppState& state);
void draw_controls_panel(AppState& state, const FrameLayout& frame);
void draw_stats_panel(AppState& state, const FrameLayout& frame);
// Draws every shown norm's canvas; fills `rects` (one per shown norm).
void draw_canvas_area(AppState& state, const FrameLayout& frame, TensorRenderer& renderer,
                      std::vector<PanelRect>& rects);
// The cube view instead of the grid (state.cube_view): one 3-D cube per shown norm; fills
// `rects` like draw_canvas_area (app/ui/cube_panel.cpp).
void draw_cube_area(AppState& state, const FrameLayout& frame, TensorRenderer& renderer, std::vector<PanelRect>& rects);
void draw_help_window(AppState& state);

// The ImGui part of a frame, the one list every caller iterates (the program's frame in
// app/desktop/frame.cpp, and the headless tests): presenter style, keys, finished work,
// derived data, the menu bar, then each panel of kUiPanels (app/ui/ui_frame.cpp) in order,
// then derived data again (what the panels changed). `canvas` draws the canvas area (the renderers in the program, a
// stand-in without GL); `around`, when set, wraps each panel's drawing (tests capture text).
struct UiFrameHooks {
    std::function<void(AppState&, const FrameLayout&)> canvas;
    std::function<void(const char* panel, const std::function<void()>& draw)> around;
};
void draw_ui_frame(AppState& state, const UiFrameHooks& hooks);
// The Channels window (state.channels.show, F4): per-channel summary table; a row click
// focuses its channel (app/ui/channel_panel.cpp).
void draw_channel_panel(AppState& state);
// The arithmetic window (F6): the focus's group under one panel's norm, stage by stage.
void draw_arithmetic_panel(AppState& state);
// The tokens x features window (F7): rows are tokens, columns features, linked by the focus.
void draw_token_panel(AppState& state);
// The Train panel (F8): runs of the built-in CNN with a chosen norm, their curves, and a
// trained block's activations into the grid (app/ui/train_panel.cpp).
void draw_train_panel(AppState& state, const FrameLayout& frame);
// File > Open... (state.file_browser.open, Ctrl+O): the file browser modal
// (app/ui/file_browser_panel.cpp).
void draw_file_browser(AppState& state);
// Keyboard shortcuts, when ImGui does not want the keyboard.
void handle_shortcuts(AppState& state);

// The classroom layer (app/ui/lessons_panel.cpp, classroom_dialogs.cpp, classroom_overlay.cpp).
// Height of the lessons strip this frame (0 when no lesson or quiz is shown).
float lessons_panel_height(const AppState& state);
// The lessons strip (frame.bottom high, between the sidebars): lesson, step text, numbers, quiz.
void draw_lessons_panel(AppState& state, const FrameLayout& frame);
// The quiz's question, choices, score and explanation, inside the lessons strip
// (app/ui/quiz_panel.cpp).
void draw_quiz_strip(AppState& state);
// The ImGui style of presenter mode (large, high contrast) or the normal one, whichever
// ClassroomState::presenter asks for (also after --presenter on the command line).
void apply_presenter_style(AppState& state);
// File > Open scene / Save scene / Export modals.
void draw_classroom_dialogs(AppState& state);
// Over one grid canvas (inside its clip rect): quiz marks, padded cells, device shards (their
// labels counted in `r`).
void draw_classroom_overlay(const AppState& state, const GridLayout& layout, const ViewTransform& view, ImDrawList* dl,
                            PanelRect& r);

}  // namespace normviz::app
