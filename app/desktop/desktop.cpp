// The desktop program: options, window, the frame loop, screenshots and status lines.
#include "app/desktop/desktop.h"

#include <algorithm>
#include <cstdio>
#include <new>

#include <imgui.h>

#include "app/desktop/bench_render.h"
#include "app/desktop/render_sweep.h"
#include "app/state/classroom_actions.h"
#include "app/desktop/desktop_options.h"
#include "app/state/export.h"
#include "app/render/gl_objects.h"
#include "app/render/tensor_renderer.h"
#include "app/model/settings.h"
#include "app/desktop/status_line.h"
#include "app/desktop/frame.h"
#include "app/ui/panels.h"
#include "app/platform/window.h"
#include "core/safe_file.h"

#include "core/npy.h"

namespace normviz::app {

namespace {

// Builds the first scene: remembered settings, then options, then the data.
core::Status initial_scene(const DesktopOptions& o, AppState& state) {
    apply_options(o, state.scene);
    if (!o.input_path.empty()) {
        auto loaded = read_tensor_file(o.input_path, state.scene.layout);
        // A remembered layout (not --layout) may not fit this file's rank: its default, as Load.
        if (!loaded && state.scene.layout && !o.layout) loaded = read_tensor_file(o.input_path, std::nullopt);
        if (!loaded) return loaded.error();
        state.scene.data_path = o.input_path;
        set_tensor(state, std::move(loaded.value()));
        state.scene.layout = state.tensor.layout;
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
    // --groups is what was asked for: a G that does not divide C is an error, never another G.
    if (o.groups) {
        core::NormSpec spec;
        spec.kind = core::NormKind::Group;
        spec.groups = *o.groups;
        if (auto ok = core::validate(spec, state.tensor.shape); !ok)
            return core::make_error("--groups " + std::to_string(*o.groups) + ": " + ok.error().message);
    }
    return core::Ok{};
}

// --running, after the data (from FILE or a scene) is loaded: the buffers must fit its C.
core::Status apply_running_option(const DesktopOptions& o, AppState& state) {
    if (o.running_source.empty()) return core::Ok{};
    if (state.scene.data_path.empty())
        return core::make_error(
            "--running gives a loaded tensor its model's running statistics; load the "
            "activations too (normviz FILE.npy --running FILE.safetensors:PREFIX)");
    auto buffers = core::read_batchnorm_buffers(o.running_source);
    if (!buffers) return buffers.error();
    if (auto fit = core::check_buffers_fit(buffers.value(), state.tensor.shape.C); !fit) return fit.error();
    load_running_stats(state, o.running_source);
    return core::Ok{};
}

// After the frame that drew the PNG (its outcome is the message): the SVG and the CSV.
// Prints an "export" status line per file with --status and each error on stderr.
bool export_files(AppState& state, const std::string& base) {
    bool all_ok = true;
    auto report = [&](const std::string& path, bool ok, const std::string& error) {
        if (!ok) std::fprintf(stderr, "normviz: %s\n", error.c_str());
        if (state.print_status) std::printf("export path=%s ok=%d\n", path.c_str(), ok ? 1 : 0), std::fflush(stdout);
        all_ok = all_ok && ok;
    };
    report(base + ".png", !state.message_is_error, state.message);
    auto svg = view_to_svg(state);
    core::Status svg_ok = svg ? write_text_file(base + ".svg", svg.value()) : core::Status(svg.error());
    report(base + ".svg", bool(svg_ok), svg_ok ? "" : svg_ok.error().message);
    core::Status csv_ok = write_text_file(base + ".csv", stats_to_csv(state));
    report(base + ".csv", bool(csv_ok), csv_ok ? "" : csv_ok.error().message);
    return all_ok;
}

// The window's size (options, else the remembered one), visibility and vsync.
WindowOptions window_options(const DesktopOptions& o, const Settings& settings) {
    WindowOptions wo;
    wo.width = o.size_given || !settings.loaded ? o.width : settings.window_width;
    wo.height = o.size_given || !settings.loaded ? o.height : settings.window_height;
    wo.visible = !o.render_command;
    wo.vsync = o.vsync;
    return wo;
}

// The options that set the program's state rather than the scene (text size, status lines,
// screenshot, figure mode, cube camera); after the remembered font size.
void apply_state_options(const DesktopOptions& o, AppState& state) {
    // A figure's text reads like the window at 1080p whatever its size (--font-size wins).
    if (o.font_size) state.font_size = *o.font_size;
    else if (o.render_command) state.font_size = slide_font_size(state.font_size, o.width, o.height);
    state.print_status = o.status;
    if (!o.screenshot_path.empty()) state.screenshot_path = o.screenshot_path;
    state.figure_mode = o.render_command;
    if (o.cube_camera) state.cube_camera = *o.cube_camera;
    if (o.render_command) state.show_controls = state.show_stats = false;
}

// The data, scene, running statistics, view, presenter mode and quiz the options ask for;
// false (the reason printed) when one cannot be loaded.
bool load_initial_state(const DesktopOptions& o, AppState& state) {
    if (auto ok = initial_scene(o, state); !ok) {
        std::fprintf(stderr, "normviz: %s\n", ok.error().message.c_str());
        return false;
    }
    // open_scene_file prints its own message.
    if (!o.scene_path.empty() && !open_scene_file(state, o.scene_path, o.lesson_step)) return false;
    if (auto ok = apply_running_option(o, state); !ok) {
        std::fprintf(stderr, "normviz: %s\n", ok.error().message.c_str());
        return false;
    }
    if (o.view) show_picture(state, *o.view);  // after the scene: --view wins over its "picture"
    if (o.presenter) set_presenter(state, true);
    if (o.quiz) start_quiz(state);
    return true;
}

// The window's wait between frames: false when there is nothing to draw (minimized, or no
// input, histogram or expiring note came); `busy` counts the frames still to draw.
bool wait_for_frame(Window& w, AppState& state, int& busy) {
    if (w.iconified()) {
        w.wait_events(0.5);  // minimized: draw nothing
        return false;
    }
    if (state.work->busy()) {
        w.wait_events(0.1);  // a worker is running: draw its progress
        w.take_activity();
    } else if (busy == 0 && !state.redraw_requested) {
        w.wait_events(1.0);
        // Nothing changed, no histogram or epoch arrived, no note to take down: sleep again.
        const bool note_expired = state.note_shown && seconds_now() - state.message_time >= kNoteSeconds;
        const bool trained = state.train.worker->take_news();  // an epoch to plot
        if (!w.take_activity() && !state.histogram_worker.has_done() && !note_expired && !trained) return false;
        busy = 3;
    } else {
        w.poll_events();
        busy = w.take_activity() || state.redraw_requested ? 3 : busy - 1;
    }
    state.redraw_requested = false;
    return true;
}

// --status: prints the status line when it differs from the last one printed.
void print_status_if_changed(const AppState& state, const std::vector<PanelRect>& rects, std::string& last_status) {
    std::string s = format_status(state, rects);
    if (s != last_status) {
        std::fputs(s.c_str(), stdout);
        std::fflush(stdout);
        last_status = s;
    }
}

// Whether the picture can be the figure `render` was asked for; if not, says why on stderr:
// the cubes could not be built, or the grid's values did not fit on the GPU (the panel shows
// the message too).
bool figure_drawn(const AppState& state, TensorRenderer& renderer) {
    const std::string error =
        state.cube_view ? (renderer.cube() ? "" : renderer.cube_error()) : renderer.values_error();
    if (!error.empty()) std::fprintf(stderr, "normviz: %s\n", error.c_str());
    return error.empty();
}

// --screenshot/--out and --export's three files, checked before any window opens: one line
// on a bad destination, and no export half written because its last file could not be.
core::Status check_output_paths(const DesktopOptions& o) {
    std::vector<std::string> paths;
    if (!o.screenshot_path.empty()) paths.push_back(o.screenshot_path);
    if (!o.export_base.empty())
        for (const char* ext : {".png", ".svg", ".csv"}) paths.push_back(o.export_base + ext);
    for (const std::string& path : paths)
        if (core::Status ok = core::check_destination(path); !ok) return ok;
    return core::Ok{};
}

// --export: what File > Export writes (the PNG is drawn inside the frame, where the renderer is).
void request_export(const DesktopOptions& o, AppState& state) {
    state.classroom.export_base = o.export_base;
    state.classroom.export_width = o.export_width;
    state.classroom.export_height = o.export_height;
    state.classroom.export_png_requested = true;
}

// After the last frame, while the window is alive: stops the workers that may wake it and
// saves the settings with the window's size.
void finish_run(const DesktopOptions& o, AppState& state, Window& window) {
    state.work->wait();  // the worker may still wake the window: finish while it is alive
    state.work->wake = nullptr;
    state.histogram_worker.cancel_and_wait();  // as the work: it may wake the window
    state.histogram_worker.wake = nullptr;
    state.train.worker->stop();  // a training run ends at its next step
    state.train.worker->wait();
    state.train.worker->wake = nullptr;
    if (o.use_settings) {
        int width = 0, height = 0;
        window.window_size(width, height);
        if (auto saved = save_settings(state.scene, state.tensor.shape, state.font_size, width, height); !saved)
            std::fprintf(stderr, "normviz: settings not saved: %s\n", saved.error().message.c_str());
    }
}

}  // namespace

namespace {
int run_desktop_unguarded(int argc, char** argv);
}  // namespace

int run_desktop(int argc, char** argv) {
    // Out of memory (a shape or file too large for this machine) is a sentence, not an abort.
    try {
        return run_desktop_unguarded(argc, argv);
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr,
                     "normviz: out of memory; the tensor is too large for this machine, choose a smaller shape\n");
        return 1;
    }
}

namespace {

int run_desktop_unguarded(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "bench-render") return run_bench_render(argc, argv);
    if (is_render_sweep_command(argc, argv)) return run_render_sweep(argc, argv);
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
    if (core::Status ok = check_output_paths(o); !ok) {
        std::fprintf(stderr, "normviz: %s\n", ok.error().message.c_str());
        return 1;
    }
    AppState state;
    Settings settings;
    if (o.use_settings) settings = load_settings(state.scene);
    if (settings.font_size) state.font_size = *settings.font_size;
    for (const std::string& line : settings.ignored) std::fprintf(stderr, "normviz: %s\n", line.c_str());
    const WindowOptions wo = window_options(o, settings);
    apply_state_options(o, state);
    if (!load_initial_state(o, state)) return 1;  // message printed

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
        state.work->wake = [w = window.value().get()] { w->wake(); };
        state.histogram_worker.wake = [w = window.value().get()] { w->wake(); };
        state.train.worker->wake = [w = window.value().get()] { w->wake(); };
        int busy = 3;  // frames to draw after the last input, so ImGui settles
        // SIGINT/SIGTERM/SIGHUP end the loop within a second, so settings are still saved.
        core::install_signal_cleanup(/*keep_running=*/true);
        for (uint64_t frame = 0;
             !window.value()->should_close() && !state.quit_requested && !core::termination_requested();) {
            Window& w = *window.value();
            if (o.frames == 0) {
                if (!wait_for_frame(w, state, busy)) continue;
            } else {
                w.poll_events();
            }
            const bool last_frame = o.frames > 0 && frame + 1 >= static_cast<uint64_t>(o.frames);
            if (last_frame && !o.screenshot_path.empty()) state.screenshot_requested = true;
            // --export: once the view is laid out.
            const bool export_now = !o.export_base.empty() && (o.frames > 0 ? last_frame : frame == 2);
            if (export_now) request_export(o, state);
            draw_frame(state, w, *renderer.value(), rects, frame);
            if (export_now && !export_files(state, o.export_base)) status = 1;
            if (state.print_status) print_status_if_changed(state, rects, last_status);
            // The last frame's message is the screenshot's outcome.
            const bool shot = o.render_command || !o.screenshot_path.empty();
            if (shot && last_frame && state.message_is_error) status = 1;
            // A picture whose cells could not be drawn is no figure: render stops at the first
            // frame that knows it, before the last frame saves the PNG.
            if (o.render_command && !figure_drawn(state, *renderer.value())) {
                status = 1;
                break;
            }
            if (last_frame) break;
            ++frame;
        }
        finish_run(o, state, *window.value());
        if (core::termination_requested()) status = 1;
    }
    return status;
}

}  // namespace

}  // namespace normviz::app
