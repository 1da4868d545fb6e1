// Parsing of the desktop program's options and of `normviz render`.
#include "app/desktop/desktop_options.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "app/model/paths.h"
#include "app/model/scene_io.h"

namespace normviz::app {

namespace {

core::Result<std::vector<core::NormKind>> parse_norm_list(const std::string& text) {
    std::vector<core::NormKind> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string name = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto kind = core::parse_norm_name(name);
        if (!kind) return kind.error();
        out.push_back(kind.value());
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

// "WxH" and nothing after it.
bool parse_size(const std::string& text, int& w, int& h) {
    int used = 0;
    return std::sscanf(text.c_str(), "%dx%d%n", &w, &h, &used) == 2 && static_cast<size_t>(used) == text.size();
}

bool parse_int(const std::string& text, long long& out) {
    errno = 0;
    char* end = nullptr;
    out = std::strtoll(text.c_str(), &end, 10);
    return !text.empty() && *end == '\0' && errno == 0;
}

}  // namespace

const char* desktop_usage() {
    return "usage: normviz [FILE] [options]\n"
           "Opens the desktop visualizer: click a cell to see every value that shares its mean and\n"
           "variance under BatchNorm, LayerNorm, InstanceNorm, GroupNorm, transformer LayerNorm,\n"
           "RMSNorm or custom axes. Press F1 in the window for the shortcuts.\n"
           "FILE: a .npy (float16/32/64), x.npz:NAME or x.safetensors:NAME (an archive with one\n"
           "array needs no NAME); e.g. a transformer's hidden states:\n"
           "  normviz hidden.npy --layout NLC --norm layer-token,rms,batch\n"
           "options:\n"
           "  --layout L             how FILE's axes are ordered: NCHW (rank 4 default), NHWC\n"
           "                         (channels-last), NCL (rank 3 default), NLC ((batch, tokens,\n"
           "                         features)), NC; --focus then follows that order too\n"
           "  --running FILE:PREFIX  a checkpoint's BatchNorm running_mean/running_var (and\n"
           "                         weight/bias) for eval mode on FILE (.safetensors or .npz)\n"
           "  --shape N,C,H,W        generated tensor shape (default 4,6,4,4)\n"
           "  --generator NAME       normal, per-channel (default), per-sample, constant, large-offset, smooth\n"
           "  --seed S               generator seed\n"
           "  --norm NAME[,NAME...]  norms to compare (one name: single view)\n"
           "  --groups G             GroupNorm groups (default 2)\n"
           "  --axes AXES            custom norm's reduced axes, e.g. NW;  --no-center  no centering\n"
           "  --eps E                eps (default 1e-5)\n"
           "  --focus n,c,h,w        focus cell\n"
           "  --normalized           show normalized values\n"
           "  --color-scale NAME     raw values' colours span: symmetric (around 0, default),\n"
           "                         min-max, percentile (1-99 %), channel-min-max or\n"
           "                         channel-percentile (each channel its own range)\n"
           "  --view grid|cube|cube-hw  the 2-D grid (default), the 3-D cube (N, C, H\u00b7W), or\n"
           "                         the cube with H and W apart\n"
           "  --cube-camera Y,P[,D]  cube camera: yaw and pitch in degrees, distance (1 fits)\n"
           "  --scene FILE.json      open a scene, or a lesson (assets/lessons/*.json)\n"
           "  --step K               with a lesson: start at step K (1 = first)\n"
           "  --presenter            start in presenter mode (F5): large text, full screen\n"
           "  --quiz                 start the quiz: predict the pooled cells, then reveal\n"
           "  --export BASE          export the view as BASE.png, BASE.svg and the statistics as\n"
           "                         BASE.csv (as File > Export), after --frames N or at start\n"
           "  --export-size WxH      the PNG's size, up to 3840x2160 (default 1920x1080)\n"
           "  --size WxH             window size in pixels\n"
           "  --screenshot PATH      where F12 saves the window (default normviz.png)\n"
           "  --frames N             draw N frames then exit (with --screenshot: save it first)\n"
           "  --status               print machine-readable status lines on stdout\n"
           "  --no-vsync             do not wait for vertical sync\n"
           "  --no-settings          neither read nor save remembered settings\n"
           "  --font-size PX         UI text size\n"
           "Headless subcommands (normalize, stats, mask, bench, render, bench-render):\n"
           "  normviz --help, and normviz SUBCOMMAND --help for each one's options\n";
}

const char* render_usage() {
    return "usage: normviz render --shape N,C,H,W [--input X.npy [--layout L]] --norm NAME[,NAME...] --focus n,c,h,w\n"
           "                      [--size WxH] [--normalized] [--color-scale NAME] [--groups G] [--axes AXES]\n"
           "                      [--no-center] [--eps E] [--generator NAME] [--seed S] [--view grid|cube|cube-hw]\n"
           "                      [--cube-camera YAW,PITCH[,DISTANCE]] [--font-size PX] --out fig.png\n"
           "       normviz render --scene FILE.json [--step K] [--size WxH] [--font-size PX] --out slide.png\n"
           "       normviz render --train-sweep SWEEP.csv [--size WxH] [--font-size PX] --out fig.png\n"
           "Draws the same picture as the window, off screen, into a PNG (for slides and tests);\n"
           "with --scene, a saved scene or a lesson step (assets/lessons/*.json), up to 3840x2160.\n"
           "--font-size sets the titles' and labels' size (8 to 48 px); without it the text grows\n"
           "with --size beyond 1920x1080, so a 3840x2160 slide (32 px) reads like a 1080p window.\n"
           "On a display it uses a hidden window; without one, an off-screen EGL context.\n";
}

namespace {

// Options that take no value; true when `arg` was one of them.
bool parse_flag_option(const std::string& arg, DesktopOptions& o) {
    if (arg == "--help" || arg == "-h") {
        o.help = true;
        return true;
    }
    if (arg == "--normalized") {
        o.normalized = true;
        return true;
    }
    if (arg == "--no-center") {
        o.no_center = true;
        return true;
    }
    if (arg == "--presenter") {
        o.presenter = true;
        return true;
    }
    if (arg == "--quiz") {
        o.quiz = true;
        return true;
    }
    if (arg == "--status") {
        o.status = true;
        return true;
    }
    if (arg == "--no-vsync") {
        o.vsync = false;
        return true;
    }
    if (arg == "--no-settings") {
        o.use_settings = false;
        return true;
    }
    return false;
}

// Options for what the run writes and how big (scene, lesson step, exports, window size, screenshot).
// `matched`: whether `arg` was one of them; the status says whether its value was read.
template <typename Take>
core::Status parse_output_option(const std::string& arg, const std::string& value, Take& take, DesktopOptions& o,
                                 bool& matched) {
    matched = true;
    if (arg == "--scene") {
        if (auto s = take(); !s) return s.error();
        o.scene_path = value;
        return core::Status(core::Ok{});
    }
    if (arg == "--step") {
        if (auto s = take(); !s) return s.error();
        long long v = 0;
        if (!parse_int(value, v) || v < 1 || v > 999)
            return core::make_error("--step '" + value + "' is not a step number from 1 to 999");
        o.lesson_step = static_cast<int>(v - 1);
        return core::Status(core::Ok{});
    }
    if (arg == "--export") {
        if (auto s = take(); !s) return s.error();
        // "out/" would write the hidden files out/.png, out/.svg and out/.csv.
        if (value.empty() || value.back() == '/')
            return core::make_error("--export needs a file name without extension, e.g. out/figure");
        o.export_base = value;
        return core::Status(core::Ok{});
    }
    if (arg == "--export-size") {
        if (auto s = take(); !s) return s.error();
        int w = 0, h = 0;
        if (!parse_size(value, w, h) || w < 16 || h < 16 || w > 3840 || h > 2160)
            return core::make_error("--export-size '" + value + "' is not WxH within 16x16 .. 3840x2160");
        o.export_width = w;
        o.export_height = h;
        return core::Status(core::Ok{});
    }
    if (arg == "--size") {
        if (auto s = take(); !s) return s.error();
        int w = 0, h = 0;
        if (!parse_size(value, w, h) || w < 64 || h < 64 || w > 16384 || h > 16384)
            return core::make_error("--size '" + value + "' is not WxH with 64..16384 pixels each, e.g. 1280x800");
        o.width = w;
        o.height = h;
        o.size_given = true;
        return core::Status(core::Ok{});
    }
    if (arg == "--screenshot" || arg == "--out") {
        if (auto s = take(); !s) return s.error();
        o.screenshot_path = value;
        return core::Status(core::Ok{});
    }
    matched = false;
    return core::Ok{};
}

// Options for the data and the norms (shape, generator, numbers, norms, axes, eps, focus, layout, files).
// `matched`: whether `arg` was one of them; the status says whether its value was read.
template <typename Take>
core::Status parse_data_option(const std::string& arg, const std::string& value, Take& take, DesktopOptions& o,
                               bool& matched) {
    matched = true;
    if (arg == "--shape") {
        if (auto s = take(); !s) return s.error();
        auto shape = core::parse_shape(value);
        if (!shape) return shape.error();
        o.shape = shape.value();
        return core::Status(core::Ok{});
    }
    if (arg == "--generator") {
        if (auto s = take(); !s) return s.error();
        auto g = core::parse_generator(value);
        if (!g) return g.error();
        o.generator = g.value();
        return core::Status(core::Ok{});
    }
    if (arg == "--seed" || arg == "--groups" || arg == "--frames") {
        if (auto s = take(); !s) return s.error();
        long long v = 0;
        if (!parse_int(value, v) || v < 0)
            return core::make_error(arg + " '" + value + "' is not a non-negative integer");
        if (arg == "--seed") o.seed = static_cast<uint64_t>(v);
        if (arg == "--groups") o.groups = v;
        if (arg == "--frames") o.frames = static_cast<int>(std::min<long long>(v, 1000000));
        return core::Status(core::Ok{});
    }
    if (arg == "--norm") {
        if (auto s = take(); !s) return s.error();
        auto norms = parse_norm_list(value);
        if (!norms) return norms.error();
        o.norms = norms.value();
        return core::Status(core::Ok{});
    }
    if (arg == "--axes") {
        if (auto s = take(); !s) return s.error();
        auto axes = core::parse_axes(value);
        if (!axes) return axes.error();
        o.axes = axes.value();
        return core::Status(core::Ok{});
    }
    if (arg == "--eps") {
        if (auto s = take(); !s) return s.error();
        char* end = nullptr;
        double e = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0' || !(e >= 0) || !std::isfinite(e))
            return core::make_error("--eps '" + value + "' is not a finite number >= 0");
        o.eps = e;
        return core::Status(core::Ok{});
    }
    if (arg == "--focus") {
        if (auto s = take(); !s) return s.error();
        o.focus_text = value;  // read after the loop: --layout may come later
        return core::Status(core::Ok{});
    }
    if (arg == "--layout") {
        if (auto s = take(); !s) return s.error();
        auto layout = core::parse_layout(value);
        if (!layout) return layout.error();
        o.layout = layout.value();
        return core::Status(core::Ok{});
    }
    if (arg == "--running") {
        if (auto s = take(); !s) return s.error();
        if (value.empty()) return core::make_error("--running needs FILE.safetensors:PREFIX");
        o.running_source = value;
        return core::Status(core::Ok{});
    }
    if (arg == "--input") {
        if (auto s = take(); !s) return s.error();
        o.input_path = value;
        return core::Status(core::Ok{});
    }
    matched = false;
    return core::Ok{};
}

// Options for how the picture looks (colour scale, view, cube camera, font size).
// `matched`: whether `arg` was one of them; the status says whether its value was read.
template <typename Take>
core::Status parse_picture_option(const std::string& arg, const std::string& value, Take& take, DesktopOptions& o,
                                  bool& matched) {
    matched = true;
    if (arg == "--color-scale") {
        if (auto s = take(); !s) return s.error();
        o.color_scale = parse_color_scale(value);
        if (!o.color_scale)
            return core::make_error("--color-scale '" + value +
                                    "' is not one of symmetric, min-max, percentile, "
                                    "channel-min-max, channel-percentile");
        return core::Status(core::Ok{});
    }
    if (arg == "--view") {
        if (auto s = take(); !s) return s.error();
        o.view = parse_picture(value);
        if (!o.view) return core::make_error("--view '" + value + "' is not one of grid, cube, cube-hw");
        return core::Status(core::Ok{});
    }
    if (arg == "--cube-camera") {
        if (auto s = take(); !s) return s.error();
        CubeCamera cam;
        const int got = std::sscanf(value.c_str(), "%f,%f,%f", &cam.yaw, &cam.pitch, &cam.distance);
        if (got < 2 || !std::isfinite(cam.yaw) || !std::isfinite(cam.pitch) || !std::isfinite(cam.distance))
            return core::make_error("--cube-camera '" + value + "' is not YAW,PITCH[,DISTANCE], e.g. 32,24,1");
        o.cube_camera = clamp_camera(cam);
        return core::Status(core::Ok{});
    }
    if (arg == "--font-size") {
        if (auto s = take(); !s) return s.error();
        errno = 0;
        char* end = nullptr;
        const double px = std::strtod(value.c_str(), &end);
        // NaN would reach ImGui's font atlas; "18px" and "abc" are typos, not 8 px.
        if (value.empty() || *end != '\0' || errno != 0 || !std::isfinite(px) || px < 8 || px > 48)
            return core::make_error("--font-size '" + value + "' is not a text size from 8 to 48 pixels");
        o.font_size = static_cast<float>(px);

        return core::Status(core::Ok{});
    }
    matched = false;
    return core::Ok{};
}
}  // namespace

core::Result<DesktopOptions> parse_desktop_options(int argc, char** argv) {
    DesktopOptions o;
    int i = 1;
    if (argc > 1 && std::strcmp(argv[1], "render") == 0) {
        o.render_command = true;
        o.use_settings = false;
        o.vsync = false;
        o.width = 1600;
        o.height = 1000;
        i = 2;
    }
    auto need_value = [&](const std::string& opt, std::string& value) -> core::Status {
        if (i + 1 >= argc) return core::make_error(opt + " needs a value; see normviz --help");
        value = argv[++i];
        return core::Ok{};
    };
    for (; i < argc; ++i) {
        std::string arg = argv[i], value;
        size_t eq = arg.find('=');
        bool inline_value = arg.rfind("--", 0) == 0 && eq != std::string::npos;
        if (inline_value) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        auto take = [&]() -> core::Status { return inline_value ? core::Status(core::Ok{}) : need_value(arg, value); };
        if (parse_flag_option(arg, o)) continue;
        // A bool beside a Status rather than an optional<Status>: GCC 12 warns that the
        // optional's string may be used uninitialized (a false positive under ASan).
        bool matched = false;
        core::Status parsed = parse_output_option(arg, value, take, o, matched);
        if (!matched) parsed = parse_data_option(arg, value, take, o, matched);
        if (!matched) parsed = parse_picture_option(arg, value, take, o, matched);
        if (matched) {
            if (!parsed) return parsed.error();
        } else if (arg.rfind("-", 0) == 0) {
            return core::make_error("unknown option '" + arg + "'; see normviz --help");
        } else if (o.input_path.empty() && !o.render_command) {
            o.input_path = arg;
        } else {
            return core::make_error("unexpected argument '" + arg + "'; see normviz --help");
        }
    }
    // A quoted "~/x.npy" or --input=~/x.npy reaches us unexpanded by the shell.
    o.input_path = expand_home(o.input_path);
    o.scene_path = expand_home(o.scene_path);
    o.running_source = expand_home(o.running_source);
    if (!o.focus_text.empty()) {
        if (o.layout) {
            auto coords =
                core::parse_integers(o.focus_text, static_cast<size_t>(core::layout_rank(*o.layout)), "--focus");
            if (!coords)
                return core::make_error(coords.error().message + " (in " + core::layout_name(*o.layout) + " order)");
            o.focus = core::index_in_layout(coords.value(), *o.layout);
        } else {
            auto f = core::parse_index(o.focus_text);
            if (!f) return f.error();
            o.focus = f.value();
        }
    }
    if (o.render_command && !o.help) {
        if (o.screenshot_path.empty()) return core::make_error("render needs --out fig.png");
        if (o.norms.empty() && o.scene_path.empty())
            return core::make_error("render needs --norm NAME[,NAME...] or --scene FILE.json");
        if (o.frames == 0) o.frames = 3;
    }
    return o;
}

void apply_options(const DesktopOptions& o, Scene& scene) {
    if (o.shape) scene.shape = *o.shape;
    if (o.generator) scene.generator = *o.generator;
    if (o.seed) scene.seed = *o.seed;
    if (!o.norms.empty()) {
        scene.compared = o.norms;
        scene.single_view = o.norms.size() == 1;
        scene.single_norm = o.norms.front();
    }
    if (o.groups) scene.groups = *o.groups;
    if (o.axes) scene.custom_axes = *o.axes;
    if (o.no_center) scene.custom_center = false;
    if (o.eps) scene.eps = *o.eps;
    if (o.focus) scene.focus = *o.focus;
    if (o.layout) scene.layout = o.layout;
    if (o.normalized) scene.show_normalized = true;
    if (o.color_scale) scene.color_scale = *o.color_scale;
}

}  // namespace normviz::app
