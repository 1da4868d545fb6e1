// Frame timing of the comparison view as a user sees it (statistics sidebar and controls
// shown, the focus moving to another group every frame): the picture's cost should follow the
// window's pixels, not the tensor, and a focus change should upload no tensor data. Shapes
// are measured in alternating rounds, so that a machine whose speed drifts compares them
// fairly, and each is given as the median of its rounds' ratios to the first shape.
#include "app/desktop/bench_render.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "app/desktop/frame.h"
#include "app/state/train_actions.h"
#include "app/platform/gl.h"
#include "app/render/tensor_renderer.h"
#include "app/platform/window.h"

namespace normviz::app {

namespace {

struct Options {
    std::vector<core::Shape> shapes;
    int width = 1400, height = 900;
    int frames = 60;
    int rounds = 3;
    bool cube = false;     // --view cube: the 3-D view instead of the grid
    bool sidebars = true;  // --sidebars hide: the canvases alone
    bool train_sweep = false;  // --train-sweep: the first shape idle, then during a sweep
};

const char* kUsage =
    "usage: normviz bench-render [--shape N,C,H,W]... [--size WxH] [--frames F] [--rounds R]\n"
    "                            [--view grid|cube] [--sidebars shown|hide] [--train-sweep]\n"
    "Draws F frames (default 60) of the comparison view (six norms) per shape, with the\n"
    "statistics sidebar and controls shown and the focus moving to another group every frame,\n"
    "in R alternating rounds (default 3). Per shape it prints the median frame time (the frame\n"
    "drawn and finished), the CPU time the drawing thread spent on it, the GPU time (GL timer\n"
    "query; 'n/a' without one) and the median over rounds of its ratio to the first shape.\n"
    "--shape may be given several times, or once with shapes separated by ';'. Without it:\n"
    "(2,4,3,3) and (32,256,56,56). Without a display it draws off screen through EGL (the GPU's\n"
    "driver where there is one).\n"
    "--train-sweep: the first shape with the Train panel open, R rounds idle and then R rounds\n"
    "while the Train panel's default sweep runs (training on one thread, as its Sweep button\n"
    "does); prints the median and the slowest frame of each phase.\n";

int fail(const std::string& message) {
    std::fprintf(stderr, "normviz bench-render: %s\n", message.c_str());
    return 2;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// CPU time of the calling thread, ms: what the frame cost the drawing thread itself.
double thread_cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

struct Timing {
    double frame = 0, cpu = 0, gpu = -1;  // medians, ms; gpu < 0: no timer query
    double slowest = 0;                   // the slowest frame, ms
    size_t uploads_after_first = 0;       // tensor bytes uploaded after frame 0
};

// One round of one shape: a fresh renderer (so frame 0 uploads the tensor and is left out),
// then `frames` frames with the focus walking through the tensor from `walk_start`.
Timing time_frames(Window& window, AppState& state, int frames, int64_t walk_start, bool timer_query) {
    auto renderer = TensorRenderer::create();
    if (!renderer) return {};
    std::vector<PanelRect> rects;
    std::vector<double> frame_ms, cpu_ms, gpu_ms;
    GLuint query = 0;
    if (timer_query) glGenQueries(1, &query);
    size_t uploaded_at_first = 0;
    const int64_t numel = state.tensor.shape.numel();
    for (int f = 0; f <= frames; ++f) {
        // A large odd stride: nearly every frame lands in another group of every norm.
        state.scene.focus = core::unflat_index(state.tensor.shape, ((walk_start + f) * 2654435761LL) % numel);
        window.poll_events();
        const auto start = std::chrono::steady_clock::now();
        const double cpu_start = thread_cpu_ms();
        if (timer_query) glBeginQuery(GL_TIME_ELAPSED, query);
        draw_frame(state, window, *renderer.value(), rects, static_cast<uint64_t>(f));
        if (timer_query) glEndQuery(GL_TIME_ELAPSED);
        const double cpu = thread_cpu_ms() - cpu_start;
        glFinish();
        const auto end = std::chrono::steady_clock::now();
        GLuint64 gpu_ns = 0;
        if (timer_query) glGetQueryObjectui64v(query, GL_QUERY_RESULT, &gpu_ns);
        if (f == 0) {
            uploaded_at_first = renderer.value()->uploaded_value_bytes();  // the one upload of this tensor
            continue;
        }
        frame_ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
        cpu_ms.push_back(cpu);
        gpu_ms.push_back(static_cast<double>(gpu_ns) * 1e-6);
    }
    if (timer_query) glDeleteQueries(1, &query);
    Timing t;
    t.frame = median(frame_ms);
    t.slowest = frame_ms.empty() ? 0 : *std::max_element(frame_ms.begin(), frame_ms.end());
    t.cpu = median(cpu_ms);
    t.gpu = timer_query ? median(gpu_ms) : -1;
    t.uploads_after_first = renderer.value()->uploaded_value_bytes() - uploaded_at_first;
    return t;
}

std::string ms_text(double ms) {
    char text[32];
    if (ms < 0) return "n/a";
    std::snprintf(text, sizeof text, "%.3f ms", ms);
    return text;
}

constexpr int kParsed = -1;  // parse_options: go on and measure

// The command line into `o`; kParsed, or the exit code (0 after --help).
int parse_options(int argc, char** argv, Options& o) {
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--train-sweep") {
            o.train_sweep = true;
            continue;
        }
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (i + 1 >= argc) return fail(arg + " needs a value (or unknown option); see normviz bench-render --help");
        std::string value = argv[++i];
        if (arg == "--shape") {
            for (size_t at = 0; at <= value.size();) {
                const size_t end = std::min(value.find(';', at), value.size());
                auto shape = core::parse_shape(value.substr(at, end - at));
                if (!shape) return fail(shape.error().message);
                o.shapes.push_back(shape.value());
                at = end + 1;
            }
        } else if (arg == "--size") {
            if (std::sscanf(value.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 64 || o.height < 64)
                return fail("--size '" + value + "' is not WxH, e.g. 1920x1080");
        } else if (arg == "--view") {
            if (value != "grid" && value != "cube") return fail("--view is grid or cube");
            o.cube = value == "cube";
        } else if (arg == "--sidebars") {
            if (value != "shown" && value != "hide") return fail("--sidebars is shown or hide");
            o.sidebars = value == "shown";
        } else if (arg == "--frames" || arg == "--rounds") {
            const int n = std::atoi(value.c_str());
            if (n < 1) return fail(arg + " must be at least 1");
            (arg == "--frames" ? o.frames : o.rounds) = n;
        } else {
            return fail("unknown option '" + arg + "'; see normviz bench-render --help");
        }
    }
    return kParsed;
}

// Per shape, the medians over rounds and the bytes focus changes uploaded.
void print_summary(const Options& o, const std::vector<std::vector<Timing>>& rounds) {
    const size_t count = o.shapes.size();
    for (size_t s = 0; s < count; ++s) {
        std::vector<double> frame, cpu, gpu, ratio;
        size_t uploads = 0;
        for (int r = 0; r < o.rounds; ++r) {
            const Timing& t = rounds[s][r];
            frame.push_back(t.frame);
            cpu.push_back(t.cpu);
            gpu.push_back(t.gpu);
            ratio.push_back(t.frame / rounds[0][r].frame);
            uploads += t.uploads_after_first;
        }
        std::printf(
            "frame %s cpu %s gpu %s ratio %.3f shape=%s size=%dx%d frames=%d rounds=%d sidebars=%s "
            "tensor_bytes_uploaded_by_focus_changes=%zu\n",
            ms_text(median(frame)).c_str(), ms_text(median(cpu)).c_str(), ms_text(median(gpu)).c_str(), median(ratio),
            core::to_string(o.shapes[s]).c_str(), o.width, o.height, o.frames, o.rounds, o.sidebars ? "shown" : "hide",
            uploads);
    }
}

// --train-sweep: R rounds idle, then R rounds while the Train panel's sweep runs, on `state`.
int time_during_sweep(const Options& o, Window& window, AppState& state, bool timer_query) {
    state.train.show = true;
    auto phase = [&](const char* name, int first_round) {
        std::vector<double> frame, slowest;
        for (int r = 0; r < o.rounds; ++r) {
            const Timing t = time_frames(window, state, o.frames, int64_t{first_round + r} * (o.frames + 1), timer_query);
            frame.push_back(t.frame);
            slowest.push_back(t.slowest);
            std::printf("round %d %s frame %s slowest %s sweep_runs_done=%zu\n", r + 1, name, ms_text(t.frame).c_str(),
                        ms_text(t.slowest).c_str(), state.train.worker->sweep_progress().done);
            std::fflush(stdout);
        }
        std::printf("%s frame %s slowest %s shape=%s size=%dx%d frames=%d rounds=%d\n", name,
                    ms_text(median(frame)).c_str(), ms_text(*std::max_element(slowest.begin(), slowest.end())).c_str(),
                    core::to_string(state.tensor.shape).c_str(), o.width, o.height, o.frames, o.rounds);
    };
    phase("idle", 0);
    if (!start_training_sweep(state)) {
        std::fprintf(stderr, "normviz bench-render: %s\n", state.train.error.c_str());
        return 1;
    }
    phase("during-sweep", o.rounds);
    const bool still_running = state.train.worker->sweep_progress().running;
    state.train.worker->stop();
    state.train.worker->wait();
    if (!still_running) std::printf("note: the sweep ended before the last round; add --frames\n");
    return 0;
}

}  // namespace

int run_bench_render(int argc, char** argv) {
    Options o;
    if (const int code = parse_options(argc, argv, o); code != kParsed) return code;
    if (o.shapes.empty()) o.shapes = {{2, 4, 3, 3}, {32, 256, 56, 56}};

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
    window.value()->set_font_size(16);
    // GL_TIME_ELAPSED is core in OpenGL 3.3, which the window guarantees; a driver may still
    // answer with no bits of counter, which means no timer.
    GLint timer_bits = 0;
    glGetQueryiv(GL_TIME_ELAPSED, GL_QUERY_COUNTER_BITS, &timer_bits);
    const bool timer_query = timer_bits > 0;
    std::printf("renderer %s; GPU timer query %s\n", reinterpret_cast<const char*>(glGetString(GL_RENDERER)),
                timer_query ? "yes" : "no");
    // Every shape's tensor made once and kept, so that rounds only draw.
    std::vector<std::unique_ptr<AppState>> states;
    for (const core::Shape& shape : o.shapes) {
        auto state = std::make_unique<AppState>();
        state->cube_view = o.cube;
        state->show_controls = state->show_stats = o.sidebars;
        state->scene.shape = shape;
        regenerate_tensor(*state);
        states.push_back(std::move(state));
    }
    if (o.train_sweep) return time_during_sweep(o, *window.value(), *states[0], timer_query);
    const size_t count = o.shapes.size();
    std::vector<std::vector<Timing>> rounds(count);
    for (int r = 0; r < o.rounds; ++r) {
        for (size_t s = 0; s < count; ++s) {
            const Timing t =
                time_frames(*window.value(), *states[s], o.frames, int64_t{r} * (o.frames + 1), timer_query);
            rounds[s].push_back(t);
            std::printf("round %d shape=%s frame %s cpu %s gpu %s\n", r + 1, core::to_string(o.shapes[s]).c_str(),
                        ms_text(t.frame).c_str(), ms_text(t.cpu).c_str(), ms_text(t.gpu).c_str());
            std::fflush(stdout);
        }
    }
    print_summary(o, rounds);
    return 0;
}

}  // namespace normviz::app
