// PNG export: one extra frame of the canvas area at the export size, in an ImGui context of
// its own, drawn the way `normviz render` draws its figure, into an off-screen framebuffer.
#include "app/desktop/export_png.h"

#include "app/state/export.h"
#include "app/ui/panels.h"
#include "app/platform/window.h"

namespace normviz::app {

core::Status export_view_png(AppState& state, Window& window, TensorRenderer& renderer, const std::string& path,
                             int width, int height) {
    if (width < 16 || height < 16 || width > kExportMaxWidth || height > kExportMaxHeight)
        return core::make_error("export size " + std::to_string(width) + "x" + std::to_string(height) +
                                " is outside 16x16 .. 3840x2160");
    if (state.panels.empty() || state.tensor.data.empty())
        return core::make_error("nothing to export: no panel can be drawn");
    // A figure: the canvases alone, fitted, with text as large on the slide as in the window.
    const bool figure_mode = state.figure_mode, show_controls = state.show_controls, show_stats = state.show_stats;
    const Camera camera = state.camera;
    const GridLayout canvas_layout = state.canvas_layout;     // the window's, kept for its next frame
    const int panel_columns = state.classroom.panel_columns;  // the window's, for the SVG
    state.figure_mode = true;
    state.show_controls = state.show_stats = false;
    state.camera.needs_fit = true;
    const std::vector<unsigned char> pixels =
        window.draw_offscreen(width, height, slide_font_size(state.font_size, width, height), [&] {
            std::vector<PanelRect> rects;
            draw_canvas_area(state, compute_frame_layout(state), renderer, rects);
        });
    state.figure_mode = figure_mode;
    state.show_controls = show_controls;
    state.show_stats = show_stats;
    state.camera = camera;
    state.canvas_layout = canvas_layout;
    state.classroom.panel_columns = panel_columns;
    return write_png(path, pixels, width, height);
}

}  // namespace normviz::app
