// Parsing of the desktop program's options and of `normviz render`.
#include "app/desktop/desktop_options.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "app/cli/arguments.h"
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

// Reads one option's value (flags get "") into the options; `name` is the option as written.
using ApplyOption = core::Status (*)(std::string_view name, const std::string& value, DesktopOptions& o);

struct DesktopOption {
    cli::OptionSpec spec;
    ApplyOption apply;
};

template <bool DesktopOptions::*field, bool on>
core::Status set_flag(std::string_view, const std::string&, DesktopOptions& o) {
    o.*field = on;
    return core::Ok{};
}

template <std::string DesktopOptions::*field>
core::Status set_text(std::string_view, const std::string& value, DesktopOptions& o) {
    o.*field = value;
    return core::Ok{};
}

// Options read by a parser that returns a Result: the value goes to `field`.
template <auto field, auto parse>
core::Status set_parsed(std::string_view, const std::string& value, DesktopOptions& o) {
    auto parsed = parse(value);
    if (!parsed) return parsed.error();
    o.*field = parsed.value();
    return core::Ok{};
}

// --seed, --groups, --frames: a whole number >= 0 (--frames at most a million).
template <auto field>
core::Status set_count(std::string_view name, const std::string& value, DesktopOptions& o) {
    long long v = 0;
    if (!parse_int(value, v) || v < 0)
        return core::make_error(std::string(name) + " '" + value + "' is not a non-negative integer");
    using Value = std::remove_cvref_t<decltype(o.*field)>;
    if constexpr (std::is_same_v<Value, int>) {
        o.*field = static_cast<int>(std::min<long long>(v, 1000000));
    } else {
        o.*field = static_cast<typename Value::value_type>(v);
    }
    return core::Ok{};
}

// "WxH" within [low, high] pixels each; `rule` ends the message.
core::Status read_size(std::string_view name, const std::string& value, int low_w, int low_h, int high_w, int high_h,
                       const char* rule, int& w, int& h) {
    if (!parse_size(value, w, h) || w < low_w || h < low_h || w > high_w || h > high_h)
        return core::make_error(std::string(name) + " '" + value + "' is not WxH " + rule);
    return core::Ok{};
}

core::Status set_step(std::string_view, const std::string& value, DesktopOptions& o) {
    long long v = 0;
    if (!parse_int(value, v) || v < 1 || v > 999)
        return core::make_error("--step '" + value + "' is not a step number from 1 to 999");
    o.lesson_step = static_cast<int>(v - 1);
    return core::Ok{};
}

core::Status set_export(std::string_view, const std::string& value, DesktopOptions& o) {
    // "out/" would write the hidden files out/.png, out/.svg and out/.csv.
    if (value.empty() || value.back() == '/')
        return core::make_error("--export needs a file name without extension, e.g. out/figure");
    o.export_base = value;
    return core::Ok{};
}

core::Status set_export_size(std::string_view name, const std::string& value, DesktopOptions& o) {
    return read_size(name, value, 16, 16, 3840, 2160, "within 16x16 .. 3840x2160", o.export_width, o.export_height);
}

core::Status set_size(std::string_view name, const std::string& value, DesktopOptions& o) {
    o.size_given = true;
    return read_size(name, value, 64, 64, 16384, 16384, "with 64..16384 pixels each, e.g. 1280x800", o.width, o.height);
}

core::Status set_eps(std::string_view, const std::string& value, DesktopOptions& o) {
    char* end = nullptr;
    double e = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !(e >= 0) || !std::isfinite(e))
        return core::make_error("--eps '" + value + "' is not a finite number >= 0");
    o.eps = e;
    return core::Ok{};
}

core::Status set_running(std::string_view, const std::string& value, DesktopOptions& o) {
    if (value.empty()) return core::make_error("--running needs FILE.safetensors:PREFIX");
    o.running_source = value;
    return core::Ok{};
}

core::Status set_color_scale(std::string_view, const std::string& value, DesktopOptions& o) {
    o.color_scale = parse_color_scale(value);
    if (!o.color_scale)
        return core::make_error("--color-scale '" + value +
                                "' is not one of symmetric, min-max, percentile, "
                                "channel-min-max, channel-percentile");
    return core::Ok{};
}

core::Status set_view(std::string_view, const std::string& value, DesktopOptions& o) {
    o.view = parse_picture(value);
    if (!o.view) return core::make_error("--view '" + value + "' is not one of grid, cube, cube-hw");
    return core::Ok{};
}

core::Status set_cube_camera(std::string_view, const std::string& value, DesktopOptions& o) {
    CubeCamera cam;
    const int got = std::sscanf(value.c_str(), "%f,%f,%f", &cam.yaw, &cam.pitch, &cam.distance);
    if (got < 2 || !std::isfinite(cam.yaw) || !std::isfinite(cam.pitch) || !std::isfinite(cam.distance))
        return core::make_error("--cube-camera '" + value + "' is not YAW,PITCH[,DISTANCE], e.g. 32,24,1");
    o.cube_camera = clamp_camera(cam);
    return core::Ok{};
}

core::Status set_font_size(std::string_view, const std::string& value, DesktopOptions& o) {
    errno = 0;
    char* end = nullptr;
    const double px = std::strtod(value.c_str(), &end);
    // NaN would reach ImGui's font atlas; "18px" and "abc" are typos, not 8 px.
    if (value.empty() || *end != '\0' || errno != 0 || !std::isfinite(px) || px < 8 || px > 48)
        return core::make_error("--font-size '" + value + "' is not a text size from 8 to 48 pixels");
    o.font_size = static_cast<float>(px);
    return core::Ok{};
}

// Every option of the desktop program and of `normviz render`: one row each, read in this order.
const DesktopOption kDesktopOptions[] = {
    {{"--normalized", ""}, set_flag<&DesktopOptions::normalized, true>},
    {{"--no-center", ""}, set_flag<&DesktopOptions::no_center, true>},
    {{"--presenter", ""}, set_flag<&DesktopOptions::presenter, true>},
    {{"--quiz", ""}, set_flag<&DesktopOptions::quiz, true>},
    {{"--status", ""}, set_flag<&DesktopOptions::status, true>},
    {{"--no-vsync", ""}, set_flag<&DesktopOptions::vsync, false>},
    {{"--no-settings", ""}, set_flag<&DesktopOptions::use_settings, false>},
    {{"--scene", "FILE.json"}, set_text<&DesktopOptions::scene_path>},
    {{"--step", "K"}, set_step},
    {{"--export", "BASE"}, set_export},
    {{"--export-size", "WxH"}, set_export_size},
    {{"--size", "WxH"}, set_size},
    {{"--screenshot", "PATH"}, set_text<&DesktopOptions::screenshot_path>},
    {{"--out", "PATH"}, set_text<&DesktopOptions::screenshot_path>},  // render's name; wins over --screenshot
    {{"--shape", "N,C,H,W"}, set_parsed<&DesktopOptions::shape, core::parse_shape>},
    {{"--generator", "NAME"}, set_parsed<&DesktopOptions::generator, core::parse_generator>},
    {{"--seed", "S"}, set_count<&DesktopOptions::seed>},
    {{"--groups", "G"}, set_count<&DesktopOptions::groups>},
    {{"--frames", "N"}, set_count<&DesktopOptions::frames>},
    {{"--norm", "NAME"}, set_parsed<&DesktopOptions::norms, parse_norm_list>},
    {{"--axes", "AXES"}, set_parsed<&DesktopOptions::axes, core::parse_axes>},
    {{"--eps", "E"}, set_eps},
    {{"--focus", "n,c,h,w"}, set_text<&DesktopOptions::focus_text>},  // read by read_focus: --layout decides its order
    {{"--layout", "L"}, set_parsed<&DesktopOptions::layout, core::parse_layout>},
    {{"--running", "FILE:PREFIX"}, set_running},
    {{"--input", "FILE"}, set_text<&DesktopOptions::input_path>},
    {{"--color-scale", "NAME"}, set_color_scale},
    {{"--view", "NAME"}, set_view},
    {{"--cube-camera", "Y,P[,D]"}, set_cube_camera},
    {{"--font-size", "PX"}, set_font_size},
};

std::vector<cli::OptionSpec> desktop_option_specs() {
    std::vector<cli::OptionSpec> specs;
    for (const DesktopOption& option : kDesktopOptions) specs.push_back(option.spec);
    return specs;
}

// FILE on the desktop command line: at most one, and none beside --input or after render.
core::Status take_positionals(const cli::Arguments& args, DesktopOptions& o) {
    const size_t allowed = o.render_command || args.has("--input") ? 0 : 1;
    if (args.positionals.size() > allowed)
        return core::make_error("unexpected argument '" + args.positionals[allowed] + "'; see normviz --help");
    if (allowed == 1 && !args.positionals.empty()) o.input_path = args.positionals.front();
    return core::Ok{};
}

// --focus as typed, in --layout's order when given.
core::Status read_focus(DesktopOptions& o) {
    if (o.focus_text.empty()) return core::Ok{};
    if (!o.layout) {
        auto f = core::parse_index(o.focus_text);
        if (!f) return f.error();
        o.focus = f.value();
        return core::Ok{};
    }
    auto coords = core::parse_integers(o.focus_text, static_cast<size_t>(core::layout_rank(*o.layout)), "--focus");
    if (!coords) return core::make_error(coords.error().message + " (in " + core::layout_name(*o.layout) + " order)");
    o.focus = core::index_in_layout(coords.value(), *o.layout);
    return core::Ok{};
}

core::Status check_render(DesktopOptions& o) {
    if (o.screenshot_path.empty()) return core::make_error("render needs --out fig.png");
    if (o.norms.empty() && o.scene_path.empty())
        return core::make_error("render needs --norm NAME[,NAME...] or --scene FILE.json");
    if (o.frames == 0) o.frames = 3;
    return core::Ok{};
}

}  // namespace

// Tokenized by the subcommands' parser (app/cli/arguments.h), so an option given twice is an
// error and --opt=value works for every option that takes a value; then each value is read by
// its row's function.
core::Result<DesktopOptions> parse_desktop_options(int argc, char** argv) {
    DesktopOptions o;
    int first = 1;
    if (argc > 1 && std::strcmp(argv[1], "render") == 0) {
        o.render_command = true;
        o.use_settings = false;
        o.vsync = false;
        o.width = 1600;
        o.height = 1000;
        first = 2;
    }
    if (cli::wants_help(argc, argv, first)) {
        o.help = true;
        return o;
    }
    const std::vector<cli::OptionSpec> specs = desktop_option_specs();
    core::Result<cli::Arguments> args = cli::parse_arguments(argc, argv, first, specs, "see normviz --help");
    if (!args) return args.error();
    for (const DesktopOption& option : kDesktopOptions) {
        const std::optional<std::string> value = args.value().value(option.spec.name);
        if (!value) continue;
        if (core::Status applied = option.apply(option.spec.name, *value, o); !applied) return applied.error();
    }
    if (core::Status taken = take_positionals(args.value(), o); !taken) return taken.error();
    // A quoted "~/x.npy" or --input=~/x.npy reaches us unexpanded by the shell.
    o.input_path = expand_home(o.input_path);
    o.scene_path = expand_home(o.scene_path);
    o.running_source = expand_home(o.running_source);
    if (core::Status focus = read_focus(o); !focus) return focus.error();
    if (o.lesson_step >= 0 && o.scene_path.empty())
        return core::make_error("--step picks a step of the lesson that --scene opens; give --scene LESSON.json too");
    if (o.render_command) {
        if (core::Status ready = check_render(o); !ready) return ready.error();
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
