// One frame of the desktop program, always in the same order; screenshots of the back buffer.
#include "app/desktop/frame.h"

#include <algorithm>
#include <cstdio>

#include <imgui.h>

#include "app/desktop/export_png.h"
#include "app/render/gl_objects.h"
#include "app/render/tensor_renderer.h"
#include "app/platform/window.h"

namespace normviz::app {

namespace {

// Saves the back buffer (the whole window, or one panel's rectangle) as PNG.
void save_screenshot(AppState& state, Window& window, const std::vector<PanelRect>& rects, int panel) {
    int width = 0, height = 0;
    window.framebuffer_size(width, height);
    std::vector<unsigned char> pixels = read_framebuffer(width, height);
    std::string path = state.screenshot_path;
    int out_w = width, out_h = height;
    if (panel >= 0 && panel < static_cast<int>(rects.size())) {
        const ImVec2 scale = ImGui::GetIO().DisplayFramebufferScale;
        const PanelRect& r = rects[panel];
        const int x0 = std::clamp(static_cast<int>(r.x * scale.x), 0, width - 1);
        const int y0 = std::clamp(static_cast<int>(r.y * scale.y), 0, height - 1);
        out_w = std::clamp(static_cast<int>(r.w * scale.x), 1, width - x0);
        out_h = std::clamp(static_cast<int>(r.h * scale.y), 1, height - y0);
        std::vector<unsigned char> crop(static_cast<size_t>(out_w) * out_h * 4);
        for (int y = 0; y < out_h; ++y)
            std::copy_n(&pixels[(static_cast<size_t>(y0 + y) * width + x0) * 4], out_w * 4,
                        &crop[static_cast<size_t>(y) * out_w * 4]);
        pixels = std::move(crop);
        const size_t dot = path.rfind(".png");
        path = (dot == std::string::npos ? path : path.substr(0, dot)) + "-" +
               core::norm_name(state.panels[panel].spec.kind) + ".png";
    }
    auto ok = write_png(path, pixels, out_w, out_h);
    if (ok) set_message(state, "saved " + path, false);
    else set_message(state, ok.error().message, true);
    if (state.print_status) std::printf("screenshot path=%s ok=%d\n", path.c_str(), ok ? 1 : 0), std::fflush(stdout);
}

// File > Export > PNG: an extra frame drawn off screen at the chosen size, after this one.
void export_png(AppState& state, Window& window, TensorRenderer& renderer) {
    state.classroom.export_png_requested = false;
    const std::string path = state.classroom.export_base + ".png";
    auto ok =
        export_view_png(state, window, renderer, path, state.classroom.export_width, state.classroom.export_height);
    if (ok) set_message(state, "saved " + path, false);
    else set_message(state, ok.error().message, true);
}

}  // namespace

void draw_frame(AppState& state, Window& window, TensorRenderer& renderer, std::vector<PanelRect>& rects,
                uint64_t frame) {
    if (state.font_dirty) {
        window.set_font_size(state.font_size);
        state.font_dirty = false;
    }
    window.begin_frame();
    for (auto [key, mods] : window.take_key_presses()) state.key_presses.push_back({key, mods});
    handle_dropped_paths(state, window.take_dropped_paths());
    UiFrameHooks hooks;
    hooks.canvas = [&renderer, &rects](AppState& s, const FrameLayout& layout) {
        draw_canvas_area(s, layout, renderer, rects);
    };
    draw_ui_frame(state, hooks);
    window.render_ui();
    // A view left behind gives its framebuffers back.
    const TensorRenderer::KeptCanvases kept = renderer.release_undrawn();
    state.kept_canvases = kept.grid;
    state.kept_cube_canvases = kept.cube;
    if (std::string error = drain_gl_errors(); !error.empty())
        std::fprintf(stderr, "normviz: %s in frame %llu\n", error.c_str(), static_cast<unsigned long long>(frame));
    if (state.screenshot_requested) save_screenshot(state, window, rects, -1);
    if (state.panel_screenshot_requested >= 0) save_screenshot(state, window, rects, state.panel_screenshot_requested);
    state.screenshot_requested = false;
    state.panel_screenshot_requested = -1;
    window.swap();
    if (state.classroom.export_png_requested) export_png(state, window, renderer);
    if (state.fullscreen_requested) window.toggle_fullscreen();
    state.fullscreen_requested = false;
}

}  // namespace normviz::app
