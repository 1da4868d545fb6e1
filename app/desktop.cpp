// The desktop program: options, window, the frame loop, screenshots and status lines.
#include "app/desktop.h"

#include <algorithm>
#include <cstdio>

#include <imgui.h>

#include "app/desktop_options.h"
#include "app/render/gl_objects.h"
#include "app/render/tensor_renderer.h"
#include "app/settings.h"
#include "app/status_line.h"
#include "app/ui/panels.h"
#include "app/window.h"
#include "core/npy.h"

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
            std::copy_n(&pixels[(static_cast<size_t>(y0 + y) * width + x0) * 4], out_w * 4, &crop[static_cast<size_t>(y) * out_w * 4]);
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

// One frame, always in the same order.
void draw_frame(AppState& state, Window& window, TensorRenderer& renderer, std::vector<PanelRect>& rects,
                uint64_t frame) {
    if (state.font_dirty) {
        window.set_font_size(state.font_size);
        state.font_dirty = false;
    }
    window.begin_frame();
    handle_shortcuts(state);
    for (const std::string& path : window.take_dropped_paths()) load_tensor_file(state, path);
    update_derived(state);
    draw_menu_bar(state);
    const FrameLayout layout = compute_frame_layout(state);
    draw_controls_panel(state, layout);
    draw_stats_panel(state, layout);
    draw_canvas_area(state, layout, renderer, rects);
    draw_help_window(state);
    if (state.show_debug) ImGui::ShowMetricsWindow(&state.show_debug);
    update_derived(state);
    window.render_ui();
    if (std::string error = drain_gl_errors(); !error.empty())
        std::fprintf(stderr, "normviz: %s in frame %llu\n", error.c_str(), static_cast<unsigned long long>(frame));
    if (state.screenshot_requested) save_screenshot(state, window, rects, -1);
    if (state.panel_screenshot_requested >= 0) save_screenshot(state, window, rects, state.panel_screenshot_requested);
    state.screenshot_requested = false;
    state.panel_screenshot_requested = -1;
    window.swap();
    if (state.fullscreen_requested) window.toggle_fullscreen();
    state.fullscreen_requested = false;
}

// Builds the first scene: remembered settings, then options, then the data.
core::Status initial_scene(const DesktopOptions& o, AppState& state) {
    apply_options(o, state.scene);
    if (!o.input_path.empty()) {
        auto loaded = core::read_npy(o.input_path);
        if (!loaded) return loaded.error();
        state.scene.data_path = o.input_path;
        set_tensor(state, std::move(loaded.value()));
    } else if (!state.scene.data_path.empty() && !o.shape) {
        std::string remembered = state.scene.data_path;
        if (!load_tensor_file(state, remembered)) regenerate_tensor(state);
    } else {
        if (auto ok = core::validate_shape(state.scene.shape); !ok) return ok.error();
        regenerate_tensor(state);
    }
    if (o.focus && !core::contains(state.tensor.shape, *o.focus))
        return core::make_error("focus " + core::to_string(*o.focus) + " is outside the shape " +
                                core::to_string(state.tensor.shape) + "; each coordinate must be below its extent");
    return core::Ok{};
}

}  // namespace

int run_desktop(int argc, char** argv) {
    auto parsed = parse_desktop_options(argc, argv);
    if (!parsed) {
        std::fprintf(stderr, "normviz: %s\n", parsed.error().message.c_str());
        return 2;
    }
    const DesktopOptions& o = parsed.value();
    if (o.help) {
        std::fputs(o.render_command ? render_usage() : desktop_usage(), stdout);
        return 0;
    }
    AppState state;
    WindowOptions wo;
    Settings settings;
    if (o.use_settings) settings = load_settings(state);
    wo.width = o.size_given || !settings.loaded ? o.width : settings.window_width;
    wo.height = o.size_given || !settings.loaded ? o.height : settings.window_height;
    wo.visible = !o.render_command;
    wo.vsync = o.vsync;
    if (o.font_size) state.font_size = *o.font_size;
    state.print_status = o.status;
    if (!o.screenshot_path.empty()) state.screenshot_path = o.screenshot_path;
    state.figure_mode = o.render_command;
    if (o.render_command) state.show_controls = state.show_stats = false;
    if (auto ok = initial_scene(o, state); !ok) {
        std::fprintf(stderr, "normviz: %s\n", ok.error().message.c_str());
        return 1;
    }

    auto window = Window::open(wo);
    if (!window) {
        std::fprintf(stderr, "normviz: %s\n", window.error().message.c_str());
        return 1;
    }
    int status = 0;
    {
        auto renderer = TensorRenderer::create();  // GL objects live inside the window's lifetime
        if (!renderer) {
            std::fprintf(stderr, "normviz: %s\n", renderer.error().message.c_str());
            return 1;
        }
        std::vector<PanelRect> rects;
        std::string last_status;
        int busy = 3;  // frames to draw after the last input, so ImGui settles
        for (uint64_t frame = 0; !window.value()->should_close() && !state.quit_requested;) {
            Window& w = *window.value();
            if (o.frames == 0) {
                if (w.iconified()) {
                    w.wait_events(0.5);  // minimized: draw nothing
                    continue;
                }
                if (busy == 0) {
                    w.wait_events(1.0);
                    if (!w.take_activity()) continue;  // nothing changed: sleep again
                    busy = 3;
                } else {
                    w.poll_events();
                    busy = w.take_activity() ? 3 : busy - 1;
                }
            } else {
                w.poll_events();
            }
            const bool last_frame = o.frames > 0 && frame + 1 >= static_cast<uint64_t>(o.frames);
            if (last_frame && !o.screenshot_path.empty()) state.screenshot_requested = true;
            draw_frame(state, w, *renderer.value(), rects, frame);
            if (state.print_status) {
                std::string s = format_status(state, rects);
                if (s != last_status) {
                    std::fputs(s.c_str(), stdout);
                    std::fflush(stdout);
                    last_status = s;
                }
            }
            if (o.render_command && last_frame && state.message_is_error) status = 1;
            if (last_frame) break;
            ++frame;
        }
        if (o.use_settings) {
            int width = 0, height = 0;
            window.value()->window_size(width, height);
            save_settings(state, width, height);
        }
    }
    return status;
}

}  // namespace normviz::app
