// Frame timing of the comparison view: the picture's cost should follow the window's pixels,
// not the tensor, and a focus change should upload no tensor data.
#include "app/bench_render.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "app/frame.h"
#include "app/render/gl.h"
#include "app/render/tensor_renderer.h"
#include "app/window.h"

namespace normviz::app {

namespace {

struct Options {
    std::vector<core::Shape> shapes;
    int width = 1400, height = 900;
    int frames = 60;
    bool cube = false;  // --view cube: the 3-D view instead of the grid
};

const char* kUsage =
    "usage: normviz bench-render [--shape N,C,H,W] [--size WxH] [--frames F] [--view grid|cube]\n"
    "Draws F frames (default 60) of the comparison view (six norms) with the focus moving every\n"
    "frame, and prints 'frame <median ms> ms'. Without --shape it measures (2,4,3,3) and\n"
    "(32,256,56,56) in one run and prints their ratio. Without a display it draws off\n"
    "screen through EGL (the GPU's driver where there is one).\n";

int fail(const std::string& message) {
    std::fprintf(stderr, "normviz bench-render: %s\n", message.c_str());
    return 2;
}

// Median frame time in ms for one shape; also reports tensor bytes uploaded after frame 0.
double time_shape(Window& window, TensorRenderer& renderer, const core::Shape& shape, int frames, bool cube,
                  size_t& uploads_after_first) {
    AppState state;
    state.cube_view = cube;
    state.show_controls = state.show_stats = false;
    state.scene.shape = shape;
    regenerate_tensor(state);
    std::vector<PanelRect> rects;
    std::vector<double> ms;
    size_t uploaded_at_first = 0;
    const int64_t numel = shape.numel();
    for (int f = 0; f <= frames; ++f) {
        // Walk the focus through the tensor with a large odd stride.
        state.scene.focus = core::unflat_index(shape, (int64_t{f} * 2654435761LL) % numel);
        window.poll_events();
        const auto start = std::chrono::steady_clock::now();
        draw_frame(state, window, renderer, rects, static_cast<uint64_t>(f));
        glFinish();
        const auto end = std::chrono::steady_clock::now();
        if (f == 0) {
            uploaded_at_first = renderer.uploaded_value_bytes();  // the one upload of this tensor
            continue;  // first frame includes the upload and statistics
        }
        ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    uploads_after_first = renderer.uploaded_value_bytes() - uploaded_at_first;
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

}  // namespace

int run_bench_render(int argc, char** argv) {
    Options o;
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (i + 1 >= argc) return fail(arg + " needs a value (or unknown option); see normviz bench-render --help");
        std::string value = argv[++i];
        if (arg == "--shape") {
            auto shape = core::parse_shape(value);
            if (!shape) return fail(shape.error().message);
            o.shapes.push_back(shape.value());
        } else if (arg == "--size") {
            if (std::sscanf(value.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 64 || o.height < 64)
                return fail("--size '" + value + "' is not WxH, e.g. 1920x1080");
        } else if (arg == "--view") {
            if (value != "grid" && value != "cube") return fail("--view is grid or cube");
            o.cube = value == "cube";
        } else if (arg == "--frames") {
            o.frames = std::atoi(value.c_str());
            if (o.frames < 1) return fail("--frames must be at least 1");
        } else {
            return fail("unknown option '" + arg + "'; see normviz bench-render --help");
        }
    }
    const bool pair = o.shapes.empty();
    if (pair) o.shapes = {{2, 4, 3, 3}, {32, 256, 56, 56}};

    WindowOptions wo;
    wo.width = o.width;
    wo.height = o.height;
    wo.visible = false;
    wo.vsync = false;
    auto window = Window::open(wo);
    if (!window) {
        std::fprintf(stderr, "normviz bench-render: %s\n", window.error().message.c_str());
        return 1;
    }
    std::vector<double> medians;
    {
        auto renderer = TensorRenderer::create();
        if (!renderer) {
            std::fprintf(stderr, "normviz bench-render: %s\n", renderer.error().message.c_str());
            return 1;
        }
        window.value()->set_font_size(16);
        std::printf("renderer %s\n", reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
        for (const core::Shape& shape : o.shapes) {
            size_t uploads = 0;
            double median = time_shape(*window.value(), *renderer.value(), shape, o.frames, o.cube, uploads);
            medians.push_back(median);
            std::printf("frame %.3f ms shape=%s size=%dx%d frames=%d tensor_bytes_uploaded_by_focus_changes=%zu\n",
                        median, core::to_string(shape).c_str(), o.width, o.height, o.frames, uploads);
            std::fflush(stdout);
        }
    }
    if (pair) std::printf("ratio %.3f (32,256,56,56) / (2,4,3,3)\n", medians[1] / medians[0]);
    return 0;
}

}  // namespace normviz::app
