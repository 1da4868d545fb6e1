#include "app/desktop/render_sweep.h"

#include <imgui.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "app/model/sweep_csv.h"
#include "app/platform/window.h"
#include "app/state/export.h"
#include "app/ui/sweep_figure.h"

namespace normviz::app {

namespace {

struct RenderSweepOptions {
    std::string csv, out;
    int width = 1600, height = 1000;
    float font_size = 0;  // 0: the slide size for the figure's size (slide_font_size)
};

// Fills `o` from argv[2..]; "" when it parsed, else the one-line reason.
std::string parse_render_sweep(int argc, char** argv, RenderSweepOptions& o) {
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) return arg + " needs a value, or is not an option of render --train-sweep";
        const std::string value = argv[++i];
        if (arg == "--train-sweep") {
            o.csv = value;
        } else if (arg == "--out") {
            o.out = value;
        } else if (arg == "--size") {
            char tail = 0;
            if (std::sscanf(value.c_str(), "%dx%d%c", &o.width, &o.height, &tail) != 2 || o.width < 320 ||
                o.height < 200 || o.width > kExportMaxWidth || o.height > kExportMaxHeight)
                return "--size '" + value + "' is not WxH from 320x200 to 3840x2160";
        } else if (arg == "--font-size") {
            char* end = nullptr;
            const double px = std::strtod(value.c_str(), &end);
            if (value.empty() || *end != '\0' || !std::isfinite(px) || px < 8 || px > 48)
                return "--font-size '" + value + "' is not a text size from 8 to 48 pixels";
            o.font_size = static_cast<float>(px);
        } else {
            return "unknown option '" + arg + "' for render --train-sweep";
        }
    }
    if (o.csv.empty()) return "render --train-sweep needs the CSV: --train-sweep FILE.csv";
    if (o.out.empty()) return "render --train-sweep needs --out fig.png";
    return "";
}

// The figure filling a width x height image: a borderless window holding the plot.
void draw_figure(const SweepTable& table, int width, int height) {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(static_cast<float>(width), static_cast<float>(height)));
    ImGui::Begin("##sweep_figure", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoSavedSettings);
    const float margin = ImGui::GetStyle().WindowPadding.y * 2;
    draw_sweep_figure(table, static_cast<float>(height) - margin);
    ImGui::End();
}

}  // namespace

bool is_render_sweep_command(int argc, char** argv) {
    if (argc < 2 || std::strcmp(argv[1], "render") != 0) return false;
    for (int i = 2; i < argc; ++i)
        if (std::strcmp(argv[i], "--train-sweep") == 0) return true;
    return false;
}

int run_render_sweep(int argc, char** argv) {
    RenderSweepOptions o;
    if (std::string why = parse_render_sweep(argc, argv, o); !why.empty()) {
        std::fprintf(stderr, "normviz: %s\n", why.c_str());
        return 2;
    }
    core::Result<SweepTable> table = read_sweep_csv(o.csv);
    if (!table) {
        std::fprintf(stderr, "normviz: %s\n", table.error().message.c_str());
        return 1;
    }
    WindowOptions wo;
    wo.width = o.width, wo.height = o.height;
    wo.visible = false;
    wo.vsync = false;
    auto window = Window::open(wo);
    if (!window) {
        std::fprintf(stderr, "normviz: %s\n", window.error().message.c_str());
        return 1;
    }
    const float font = o.font_size > 0 ? o.font_size : slide_font_size(20, o.width, o.height);
    const std::vector<unsigned char> pixels =
        window.value()->draw_offscreen(o.width, o.height, font, [&] { draw_figure(table.value(), o.width, o.height); });
    if (core::Status ok = write_png(o.out, pixels, o.width, o.height); !ok) {
        std::fprintf(stderr, "normviz: %s\n", ok.error().message.c_str());
        return 1;
    }
    return 0;
}

}  // namespace normviz::app
