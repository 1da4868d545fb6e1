// Options of the desktop program and of `normviz render`, parsed from argv.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/state/app_state.h"
#include "core/result.h"

namespace normviz::app {

struct DesktopOptions {
    bool render_command = false;  // `normviz render`: off-screen figure, then exit
    int width = 1400, height = 900;
    bool size_given = false;
    std::string input_path;              // FILE.npy (or x.npz:NAME, x.safetensors:NAME) or --input
    std::optional<core::Layout> layout;  // --layout: how the file's axes are read
    std::string running_source;          // --running FILE:PREFIX: a checkpoint's BatchNorm buffers
    std::optional<core::Shape> shape;
    std::optional<core::Generator> generator;
    std::optional<uint64_t> seed;
    std::vector<core::NormKind> norms;
    std::optional<int64_t> groups;
    std::optional<core::AxisMask> axes;
    bool no_center = false;
    std::optional<double> eps;
    std::optional<core::Index> focus;
    std::string focus_text;  // --focus as typed: n,c,h,w, or the --layout's order
    bool normalized = false;
    std::optional<ColorScale> color_scale;  // --color-scale NAME
    std::string screenshot_path;            // F12 target; with --frames, written at the end
    int frames = 0;                         // > 0: run this many frames, then exit
    bool status = false;
    bool vsync = true;
    bool use_settings = true;
    std::optional<float> font_size;
    bool help = false;
    std::optional<Picture> view;                    // --view grid|cube|cube-hw; wins over a scene's "picture"
    std::optional<CubeCamera> cube_camera;          // --cube-camera YAW,PITCH[,DISTANCE]
    std::string scene_path;                         // --scene FILE.json: a scene or a lesson file
    int lesson_step = -1;                           // --step K (1-based on the command line, stored 0-based)
    bool presenter = false;                         // --presenter: start in presenter mode
    bool quiz = false;                              // --quiz: start a quiz question
    std::string export_base;                        // --export BASE: write BASE.png, BASE.svg, BASE.csv
    int export_width = 1920, export_height = 1080;  // --export-size WxH (PNG, up to 3840x2160)
};

core::Result<DesktopOptions> parse_desktop_options(int argc, char** argv);
const char* desktop_usage();
const char* render_usage();

// Applies the options to a scene (after remembered settings, so options win).
void apply_options(const DesktopOptions& options, Scene& scene);

}  // namespace normviz::app
