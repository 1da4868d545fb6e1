// End-to-end tests of the real normviz program (docs/ARCHITECTURE.md, Tests): each test starts its own
// Xvfb, runs normviz with Mesa's software renderer, drives it with real X input (xdotool),
// and checks the --status lines and the pixels of its screenshots against normviz_core.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "app/render/tensor_renderer.h"
#include "app/view/grid_layout.h"
#include "core/generators.h"
#include "core/norm_spec.h"
#include "core/partition.h"
#include "core/stats.h"
#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

namespace fs = std::filesystem;

constexpr int kColorTolerance = 40;

const core::Shape kDefaultShape{4, 6, 4, 4};
const core::Index kTarget{2, 4, 3, 1};

bool near_color(const unsigned char* px, app::Rgb c, int tolerance) {
    return std::abs(px[0] - c.r) <= tolerance && std::abs(px[1] - c.g) <= tolerance &&
           std::abs(px[2] - c.b) <= tolerance;
}

std::string describe_pixel(const unsigned char* px) {
    return "(" + std::to_string(px[0]) + "," + std::to_string(px[1]) + "," + std::to_string(px[2]) + ")";
}

// The norm a panel shows, with the scene's G and custom axes.
core::NormSpec spec_named(const std::string& name, int64_t groups = 2,
                          core::AxisMask axes = core::axis_bit(core::Axis::N) | core::axis_bit(core::Axis::W)) {
    core::NormSpec spec;
    auto kind = core::parse_norm_name(name);
    EXPECT_TRUE(kind) << "status names an unknown norm '" << name << "'";
    if (kind) spec.kind = kind.value();
    spec.groups = groups;
    spec.custom_axes = axes;
    return spec;
}

// Where one canvas shows the world: canvas rectangle (screen pixels), zoom and pan.
struct CanvasGeometry {
    double x = 0, y = 0, w = 0, h = 0;
    double zoom = 1, pan_x = 0, pan_y = 0;
    double outline_px() const { return std::clamp(zoom * 0.14, 1.5, 4.0); }
    // The screen pixel that shows the canvas texel containing world point (wx, wy): the canvas
    // is drawn texel-for-pixel at (x, y) with nearest filtering, so screen pixel s shows texel
    // floor(s + 0.5 - x).
    int pixel_x(double world_x) const { return pixel(x, (world_x - pan_x) * zoom); }
    int pixel_y(double world_y) const { return pixel(y, (world_y - pan_y) * zoom); }

private:
    static int pixel(double origin, double local) {
        return static_cast<int>(std::ceil(std::floor(local) + origin - 0.5));
    }
};

CanvasGeometry geometry(const StatusBlock& block, size_t panel) {
    CanvasGeometry g;
    const auto canvas = parse_numbers(block.panels.at(panel).at("canvas"));
    const auto pan = parse_numbers(block.layout.at("pan"));
    g.x = canvas.at(0), g.y = canvas.at(1), g.w = canvas.at(2), g.h = canvas.at(3);
    g.zoom = number(block.layout, "zoom");
    g.pan_x = pan.at(0), g.pan_y = pan.at(1);
    return g;
}

// The layout the status reports, checked against make_grid_layout where it must agree (the
// tiles; blocks per row and the sample gap follow the canvas: app/view/grid_layout.h).
app::GridLayout checked_layout(const StatusBlock& block, const core::Shape& shape) {
    const app::GridLayout layout = layout_of(block, shape), usual = app::make_grid_layout(shape);
    EXPECT_EQ(layout.tiles_per_row, usual.tiles_per_row);
    EXPECT_EQ(layout.tile_gap, usual.tile_gap);
    EXPECT_GE(layout.sample_gap, usual.sample_gap);
    EXPECT_GE(layout.blocks_per_row, 1);
    return layout;
}

// Result of sampling every cell's left outline band in one panel of a screenshot.
struct HighlightReport {
    int64_t cells = 0, expected_highlighted = 0, mismatches = 0;
    std::string first_mismatches;
    std::string extra_failures;  // focus ring, background gap
};

// For every cell: the pixel in the middle of its left outline band (x = cell_left +
// outline_px / 2, y = cell centre) must have the highlight colour iff core::group_mask says
// the cell is pooled with the focus. Also: the focus's inner ring is white, and the gap
// between the first two channel tiles shows the canvas background.
HighlightReport check_highlight(const Image& image, const CanvasGeometry& g, const app::GridLayout& layout,
                                const core::Partition& partition, const core::Index& focus) {
    HighlightReport r;
    const std::vector<uint8_t> mask = core::group_mask(partition, focus);
    const double outline = g.outline_px();
    const double band_x = outline / 2 / g.zoom;  // world units from the cell's left edge
    for (int64_t flat = 0; flat < layout.shape.numel(); ++flat) {
        const core::Index idx = core::unflat_index(layout.shape, flat);
        const app::Vec2 o = app::cell_origin(layout, idx);
        const int sx = g.pixel_x(o.x + band_x), sy = g.pixel_y(o.y + 0.5);
        ++r.cells;
        const bool expected = mask[flat] != 0;
        r.expected_highlighted += expected;
        std::string problem;
        if (sx < g.x || sy < g.y || sx >= g.x + g.w || sy >= g.y + g.h || sx >= image.width || sy >= image.height) {
            problem = "outside the canvas at pixel " + std::to_string(sx) + "," + std::to_string(sy);
        } else {
            const unsigned char* px = image.at(sx, sy);
            const bool highlighted = near_color(px, app::kHighlight, kColorTolerance);
            if (highlighted != expected)
                problem = std::string(expected ? "expected highlight, got " : "unexpected highlight ") +
                          describe_pixel(px) + " at pixel " + std::to_string(sx) + "," + std::to_string(sy);
        }
        if (!problem.empty()) {
            if (++r.mismatches <= 5) r.first_mismatches += "    cell (" + index_text(idx) + "): " + problem + "\n";
        }
    }
    // The focus cell's inner ring: between outline_px and 2 * outline_px from its edge.
    const app::Vec2 f = app::cell_origin(layout, focus);
    const int rx = g.pixel_x(f.x + 1.5 * outline / g.zoom), ry = g.pixel_y(f.y + 0.5);
    if (rx < image.width && ry < image.height && !near_color(image.at(rx, ry), app::kFocusRing, kColorTolerance))
        r.extra_failures += "    focus ring pixel " + std::to_string(rx) + "," + std::to_string(ry) + " is " +
                            describe_pixel(image.at(rx, ry)) + ", not white\n";
    // Background in the gap right of tile (0, 0), when the gap is a few pixels wide.
    if (layout.shape.C > 1 && layout.tile_gap * g.zoom >= 4 && layout.tiles_per_row > 1) {
        const app::Vec2 t = app::tile_origin(layout, 0, 0);
        const int gx = g.pixel_x(t.x + layout.shape.W + layout.tile_gap / 2);
        const int gy = g.pixel_y(t.y + layout.shape.H / 2.0);
        if (!near_color(image.at(gx, gy), app::kCanvasBackground, 8))
            r.extra_failures += "    tile gap pixel " + std::to_string(gx) + "," + std::to_string(gy) + " is " +
                                describe_pixel(image.at(gx, gy)) + ", not the canvas background\n";
    }
    return r;
}

// Status block of the default scene: one panel per compared norm, each with statistics.
bool has_stats(const StatusBlock& b) {
    if (b.panels.empty()) return false;
    for (const auto& p : b.panels)
        if (!p.count("canvas") || !p.count("mean")) return false;
    return true;
}

class Gui : public GuiFixture {
protected:
    Gui() : GuiFixture({.binary = NORMVIZ_BINARY, .tmp_root = NORMVIZ_E2E_TMP_DIR}) {}

    // The program's window, at (0, 0) of the screen (Xvfb has no window manager to move it).
    std::string find_window() {
        const std::string id = GuiFixture::find_window();
        CommandResult geometry = xdo({"getwindowgeometry", id});
        EXPECT_NE(geometry.out.find("Position: 0,0"), std::string::npos)
            << "the window is not at the screen's origin, so window and screen coordinates differ:\n"
            << geometry.out;
        return id;
    }

    // Clicks the centre of `cell` in canvas `panel` of `block`.
    void click_cell(const std::string& window, const StatusBlock& block, size_t panel, const core::Index& cell) {
        GuiFixture::click_cell(window, block, panel, shape_of(block), cell);
    }

    // Launches with `args`, waits for the first statistics and gives the window the keyboard
    // (keys go to the focused window, as from a real keyboard: XTEST, not XSendEvent), the
    // pointer parked off the canvases. Returns the window ("" after a failed assertion).
    std::string launch_for_keys(const std::vector<std::string>& args) {
        launch(args);
        if (HasFatalFailure()) return "";
        EXPECT_TRUE(wait_block(has_stats, kStartTimeout)) << diagnostics();
        const std::string window = find_window();
        EXPECT_FALSE(window.empty());
        if (window.empty()) return "";
        xdo_ok({"windowfocus", "--sync", window});
        park_pointer();
        settle();
        return window;
    }

    static core::Shape shape_of(const StatusBlock& block) {
        const auto s = parse_numbers(block.status.at("shape"));
        if (s.size() != 4) return kDefaultShape;
        return core::Shape{int64_t(s[0]), int64_t(s[1]), int64_t(s[2]), int64_t(s[3])};
    }
};

TEST_F(Gui, ClickSelectsCellInEveryPanel) {
    ASSERT_NO_FATAL_FAILURE(launch({}));
    auto first = wait_block(has_stats, kStartTimeout);
    ASSERT_TRUE(first) << "no status block within " << kStartTimeout.count() << " s\n" << diagnostics();
    ASSERT_EQ(first->status.at("shape"), "4,6,4,4");
    ASSERT_EQ(first->panels.size(), 6u);
    const app::GridLayout layout = checked_layout(*first, kDefaultShape);
    const CanvasGeometry g0 = geometry(*first, 0);
    ASSERT_GE(g0.zoom, 8.0) << "cells are too small to sample outlines at 1400x900";

    const std::string window = find_window();
    ASSERT_FALSE(window.empty());
    ASSERT_NO_FATAL_FAILURE(click_cell(window, *first, 0, kTarget));
    auto clicked = wait_focus(kTarget);
    ASSERT_TRUE(clicked) << "clicking cell (" << index_text(kTarget) << ") in panel 0 did not make it the focus\n"
                         << diagnostics();

    // Every panel shows the same focus; its statistics are core's for that norm.
    const core::Tensor tensor = core::generate(kDefaultShape, core::Generator::PerChannel, 1);
    const std::vector<std::string> norms = {"batch", "layer", "instance", "group", "layer-token", "rms"};
    ASSERT_EQ(clicked->panels.size(), norms.size());
    for (size_t i = 0; i < norms.size(); ++i) {
        const auto& p = clicked->panels[i];
        SCOPED_TRACE("panel " + std::to_string(i) + " (" + norms[i] + ")");
        EXPECT_EQ(p.at("norm"), norms[i]);
        const core::Partition partition = core::make_partition(spec_named(norms[i]), kDefaultShape);
        const std::vector<core::GroupStats> stats = core::compute_group_stats(tensor, partition);
        const int64_t g = partition.group_of(kTarget);
        EXPECT_EQ(number(p, "group"), double(g));
        EXPECT_EQ(number(p, "groups"), double(partition.group_count()));
        EXPECT_EQ(number(p, "count"), double(stats[g].count));
        EXPECT_NEAR(number(p, "mean"), stats[g].mean, 1e-12 * (1 + std::abs(stats[g].mean)));
        EXPECT_NEAR(number(p, "var"), stats[g].var, 1e-12 * (1 + stats[g].var));
        EXPECT_EQ(number(p, "x"), double(tensor.at(kTarget)));
    }

    // F12 saves the window; every panel outlines exactly the focus's group.
    park_pointer();
    settle();
    Image image;
    ASSERT_NO_FATAL_FAILURE(save_screenshot(image, {"--window", window}));
    const StatusBlock& now = reader_->last_block() ? *reader_->last_block() : *clicked;
    ASSERT_EQ(now.focus(), index_text(kTarget));
    for (size_t i = 0; i < norms.size(); ++i) {
        SCOPED_TRACE("panel " + std::to_string(i) + " (" + norms[i] + ")");
        const core::Partition partition = core::make_partition(spec_named(norms[i]), kDefaultShape);
        HighlightReport r = check_highlight(image, geometry(now, i), layout, partition, kTarget);
        EXPECT_EQ(r.mismatches, 0) << r.mismatches << " of " << r.cells << " cells disagree with core's mask ("
                                   << r.expected_highlighted << " expected highlighted); first:\n"
                                   << r.first_mismatches;
        EXPECT_TRUE(r.extra_failures.empty()) << r.extra_failures;
    }
}

TEST_F(Gui, KeyboardMovesFocus) {
    ASSERT_FALSE(launch_for_keys({"--focus", "1,2,1,2"}).empty());

    // `--delay 200`: each key is held 100 ms, as a person holds it (see FastKeyChord).
    struct Step {
        std::string keys;
        core::Index focus;
    };
    const std::vector<Step> steps = {
        {"Right", {1, 2, 1, 3}},       {"Right", {1, 2, 1, 3}},  // clamped at the last w
        {"shift+Down", {2, 2, 1, 3}},  {"Left", {2, 2, 1, 2}},     {"Down", {2, 2, 2, 2}},
        {"shift+Right", {2, 3, 2, 2}}, {"shift+Up", {1, 3, 2, 2}},
    };
    for (const Step& step : steps) {
        SCOPED_TRACE("xdotool key " + step.keys);
        const bool stays = reader_->last_block() && reader_->last_block()->focus() == index_text(step.focus);
        xdo_ok({"key", "--delay", "200", step.keys});
        if (stays) {  // no change prints no block; any block that does come must agree
            settle();
            auto block = wait_block([](const StatusBlock&) { return true; }, Seconds(1));
            if (block) {
                EXPECT_EQ(block->focus(), index_text(step.focus));
            }
            continue;
        }
        auto moved = wait_focus(step.focus);
        ASSERT_TRUE(moved) << "focus did not become (" << index_text(step.focus) << ")\n" << diagnostics();
        settle();
    }
}

// ImGui 1.86's GLFW backend turns key events into a key state sampled once per frame
// (io.KeysDown), and reads Shift from that state too, so a tap shorter than a frame, or a
// modifier released in the same batch, would be lost. The window queues GLFW's key events
// with their modifiers instead. Taps are 20 ms apart: GLFW itself drops a second press of
// the same key within the same X timestamp (millisecond), which no person can produce.
TEST_F(Gui, FastKeyChord) {
    ASSERT_NO_FATAL_FAILURE(launch({"--focus", "1,2,1,0"}));
    ASSERT_TRUE(wait_block(has_stats, kStartTimeout)) << diagnostics();
    const std::string window = find_window();
    xdo_ok({"windowfocus", "--sync", window});
    park_pointer();
    settle();
    xdo_ok({"key", "--delay", "20", "Right", "Right", "Right"});
    EXPECT_TRUE(wait_focus({1, 2, 1, 3})) << "three quick Right taps did not move w from 0 to 3\n" << diagnostics();
    settle();
    xdo_ok({"key", "shift+Down"});
    EXPECT_TRUE(wait_focus({2, 2, 1, 3})) << "xdotool key shift+Down did not move along N\n" << diagnostics();
}

TEST_F(Gui, ResizeAndMinimize) {
    ASSERT_NO_FATAL_FAILURE(launch({}));
    auto first = wait_block(has_stats, kStartTimeout);
    ASSERT_TRUE(first) << diagnostics();
    const std::string window = find_window();
    ASSERT_FALSE(window.empty());
    const CanvasGeometry before = geometry(*first, 0);

    xdo_ok({"windowsize", window, "900", "600"});
    auto resized = wait_block([&](const StatusBlock& b) {
        return has_stats(b) && geometry(b, 0).w < before.w && geometry(b, 0).h < before.h;
    });
    ASSERT_TRUE(resized) << "no status block with smaller canvases after resizing to 900x600\n" << diagnostics();
    ASSERT_TRUE(app_->running());
    CommandResult size = xdo({"getwindowgeometry", window});
    EXPECT_NE(size.out.find("Geometry: 900x600"), std::string::npos) << size.out;
    for (size_t i = 0; i < resized->panels.size(); ++i) {
        const CanvasGeometry g = geometry(*resized, i);
        EXPECT_LE(g.x + g.w, 900) << "panel " << i << " reaches past the window";
        EXPECT_LE(g.y + g.h, 600) << "panel " << i << " reaches past the window";
    }
    // Clicks still land on the right cell at the new geometry.
    const core::Index cell{3, 1, 2, 0};
    ASSERT_NO_FATAL_FAILURE(click_cell(window, *resized, 1, cell));
    ASSERT_TRUE(wait_focus(cell)) << "click after resize was not registered\n" << diagnostics();

    // Minimize needs a window manager (XIconifyWindow asks it); Xvfb has none, so when the
    // window stays viewable only the liveness part below runs.
    xdo({"windowminimize", window});
    std::this_thread::sleep_for(std::chrono::seconds(1));
    ASSERT_TRUE(app_->running()) << diagnostics();
    CommandResult visible = xdo({"search", "--onlyvisible", "--name", "^normviz$"});
    if (visible.out.find(window) == std::string::npos) {
        xdo_ok({"windowmap", "--sync", window});
        xdo({"windowactivate", "--sync", window});
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    } else {
        std::printf("[ INFO     ] no window manager: windowminimize had no effect; checked liveness only\n");
    }
    auto latest = reader_->last_block();
    ASSERT_TRUE(latest);
    const core::Index again{0, 5, 0, 3};
    ASSERT_NO_FATAL_FAILURE(click_cell(window, *latest, 0, again));
    ASSERT_TRUE(wait_focus(again)) << "the program stopped answering clicks after minimize/restore\n" << diagnostics();
}

// A view left gives its framebuffers back: the cube view's six multisampled canvases (tens of
// MB at this size on a software renderer) are freed when the grid returns, and the grid's six
// when a single norm is shown. The ui line reports what the renderer kept after a frame.
TEST_F(Gui, LeavingAViewFreesItsCanvases) {
    // Enough values that the cube bins them, differently with H and W apart (Shift + K).
    ASSERT_FALSE(launch_for_keys({"--shape", "8,64,32,32", "--focus", "1,2,1,0"}).empty());
    auto kept_after = [&](const std::string& keys, const std::string& want) {
        SCOPED_TRACE("keys " + keys + ", kept canvases (grid,cube) " + want);
        xdo_ok({"key", "--delay", "200", keys});
        settle();
        // The line reports the frame before the block's; a focus move prints another block.
        for (const char* move : {"Right", "Left", "Right"}) {
            xdo_ok({"key", "--delay", "200", move});
            auto block = wait_block(
                [&](const StatusBlock& b) {
                    auto ui = b.records.find("ui");
                    return ui != b.records.end() && ui->second.count("kept_canvases") &&
                           ui->second.at("kept_canvases") == want;
                },
                Seconds(3));
            if (block) return true;
        }
        ADD_FAILURE() << "the renderer did not keep " << want << " canvases\n" << diagnostics();
        return false;
    };
    ASSERT_TRUE(kept_after("k", "0,6"));  // the cube view draws six cubes; the grid's canvases go
    ASSERT_TRUE(kept_after("k", "6,0"));  // back to the grid: the cubes' framebuffers are freed
    ASSERT_TRUE(kept_after("1", "1,0"));  // one norm: five canvases freed
    ASSERT_TRUE(kept_after("k", "0,1"));  // its cube alone
    // New voxel bins reach every kept cube canvas and skip the freed ones (this crashed once).
    ASSERT_TRUE(kept_after("shift+k", "0,1"));
    ASSERT_TRUE(app_->running()) << diagnostics();
}

// `normviz render` of one norm at 900x700 under the Xvfb; its status gives the geometry.
struct RenderCase {
    std::string name;
    std::vector<std::string> extra;
    core::NormSpec spec;
};

TEST_F(Gui, RenderEveryNorm) {
    const core::Shape shape{2, 4, 3, 3};
    const core::Index focus{1, 2, 0, 1};
    const core::AxisMask nw = core::axis_bit(core::Axis::N) | core::axis_bit(core::Axis::W);
    const std::vector<RenderCase> cases = {
        {"batch", {}, spec_named("batch")},
        {"layer", {}, spec_named("layer")},
        {"instance", {}, spec_named("instance")},
        {"group", {"--groups", "2"}, spec_named("group", 2)},
        {"layer-token", {}, spec_named("layer-token")},
        {"rms", {}, spec_named("rms")},
        {"custom", {"--axes", "NW"}, spec_named("custom", 2, nw)},
    };
    for (const RenderCase& c : cases) {
        SCOPED_TRACE("render --norm " + c.name);
        const std::string out = (tmp_ / (c.name + ".png")).string();
        std::vector<std::string> argv = {NORMVIZ_BINARY, "render", "--shape", "2,4,3,3", "--norm", c.name,    "--focus",
                                         "1,2,0,1",      "--size", "900x700", "--out",   out,      "--status"};
        argv.insert(argv.end(), c.extra.begin(), c.extra.end());
        CommandResult r = run_command(argv, env(), kStartTimeout);
        ASSERT_EQ(r.exit_code, 0) << "stderr:\n" << r.err << "stdout:\n" << r.out;
        ASSERT_TRUE(fs::exists(out));
        std::vector<StatusBlock> blocks = parse_status_text(r.out);
        ASSERT_FALSE(blocks.empty()) << "render --status printed no status block:\n" << r.out;
        const StatusBlock& b = blocks.back();
        ASSERT_EQ(b.panels.size(), 1u);
        EXPECT_EQ(b.panels[0].at("norm"), c.name);
        EXPECT_EQ(b.focus(), "1,2,0,1");
        const app::GridLayout layout = checked_layout(b, shape);
        const CanvasGeometry g = geometry(b, 0);
        EXPECT_GE(g.zoom, 8.0);
        Image image;
        std::string error;
        ASSERT_TRUE(image.load(out, error)) << error;
        EXPECT_EQ(image.width, 900);
        EXPECT_EQ(image.height, 700);
        const core::Partition partition = core::make_partition(c.spec, shape);
        EXPECT_EQ(number(b.panels[0], "groups"), double(partition.group_count()));
        HighlightReport h = check_highlight(image, g, layout, partition, focus);
        EXPECT_EQ(h.mismatches, 0) << h.mismatches << " of " << h.cells << " cells disagree with core's mask ("
                                   << h.expected_highlighted << " expected highlighted); first:\n"
                                   << h.first_mismatches;
        EXPECT_TRUE(h.extra_failures.empty()) << h.extra_failures;
    }
}

// The program's environment (preloads too) with DISPLAY replaced; "" removes it.
std::vector<std::string> with_display(std::vector<std::string> env, const std::string& display) {
    env.erase(std::remove_if(env.begin(), env.end(), [](const std::string& v) { return v.rfind("DISPLAY=", 0) == 0; }),
              env.end());
    if (!display.empty()) env.push_back("DISPLAY=" + display);
    return env;
}

TEST_F(Gui, RenderWithoutDisplayDrawsThroughEgl) {
    // No DISPLAY: render makes an off-screen EGL context instead of a window, and must draw
    // the very picture the X window draws (both are Mesa's llvmpipe here).
    const std::vector<std::string> args = {"render", "--shape", "2,4,3,3", "--norm", "batch,group", "--groups",
                                           "2",      "--focus", "1,2,0,1", "--size", "900x700"};
    auto render = [&](const std::string& out, const std::vector<std::string>& env) {
        std::vector<std::string> command = {NORMVIZ_BINARY};
        command.insert(command.end(), args.begin(), args.end());
        command.insert(command.end(), {"--out", out});
        return run_command(command, env, kStartTimeout);
    };
    const std::string egl_out = (tmp_ / "egl.png").string(), x_out = (tmp_ / "x.png").string();
    CommandResult egl = render(egl_out, with_display(env(), ""));
    ASSERT_EQ(egl.exit_code, 0) << "stderr:\n" << egl.err;
    CommandResult x = render(x_out, env());
    ASSERT_EQ(x.exit_code, 0) << "stderr:\n" << x.err;
    Image a, b;
    std::string error;
    ASSERT_TRUE(a.load(egl_out, error)) << error;
    ASSERT_TRUE(b.load(x_out, error)) << error;
    ASSERT_EQ(a.width, 900);
    ASSERT_EQ(a.height, 700);
    ASSERT_EQ(b.width, a.width);
    ASSERT_EQ(b.height, a.height);
    size_t differing = 0;
    for (size_t i = 0; i < a.rgba.size(); ++i) differing += a.rgba[i] != b.rgba[i];
    EXPECT_EQ(differing, 0u) << "the EGL picture differs from the window's";
}

TEST_F(Gui, RenderWithUnreachableDisplayDrawsOffScreen) {
    // A stale DISPLAY (an ssh session's, say): GLFW cannot start, render goes off screen.
    const std::string out = (tmp_ / "stale.png").string();
    CommandResult r = run_command(
        {NORMVIZ_BINARY, "render", "--shape", "2,4,3,3", "--norm", "batch", "--focus", "1,2,0,1", "--out", out},
        with_display(env(), ":987"), kStartTimeout);  // no X server there
    EXPECT_EQ(r.exit_code, 0) << "stderr:\n" << r.err;
    Image image;
    std::string error;
    EXPECT_TRUE(image.load(out, error)) << error;
}

// bench-render is a benchmark (its figures are read, not asserted); this checks that it runs
// and prints its summary lines, also with --train-sweep, whose second phase must find the
// Train panel's sweep started.
TEST_F(Gui, BenchRenderPrintsItsSummaries) {
    CommandResult plain = run_command({NORMVIZ_BINARY, "bench-render", "--shape", "2,4,3,3;1,2,2,2", "--frames", "3",
                                       "--rounds", "2", "--size", "640x480"},
                                      env(), kStartTimeout);
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    EXPECT_NE(plain.out.find("ratio 1.000 shape=(2, 4, 3, 3)"), std::string::npos) << plain.out;
    EXPECT_NE(plain.out.find("shape=(1, 2, 2, 2)"), std::string::npos) << plain.out;
    CommandResult sweep = run_command({NORMVIZ_BINARY, "bench-render", "--train-sweep", "--shape", "2,4,3,3",
                                       "--frames", "3", "--rounds", "1", "--size", "640x480"},
                                      env(), kStartTimeout);
    ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
    EXPECT_NE(sweep.out.find("\nidle frame "), std::string::npos) << sweep.out;
    EXPECT_NE(sweep.out.find("\nduring-sweep frame "), std::string::npos) << sweep.out;
    EXPECT_EQ(sweep.out.find("the sweep ended"), std::string::npos) << sweep.out;
}

TEST_F(Gui, RenderWithoutDisplayOrEglExplains) {
    // No DISPLAY and an EGL with no driver (glvnd finds no vendor file): one line that says so
    // and names xvfb-run; no PNG.
    const std::string out = (tmp_ / "nodisplay.png").string();
    std::vector<std::string> env = child_environment(
        {{"LIBGL_ALWAYS_SOFTWARE", "1"}, {"__EGL_VENDOR_LIBRARY_FILENAMES", (tmp_ / "no_vendor.json").string()}},
        {"DISPLAY", "WAYLAND_DISPLAY"});
    CommandResult r = run_command(
        {NORMVIZ_BINARY, "render", "--shape", "2,4,3,3", "--norm", "batch", "--focus", "1,2,0,1", "--out", out}, env,
        kStartTimeout);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "stderr:\n" << r.err;
    EXPECT_NE(r.err.find("EGL"), std::string::npos) << "stderr:\n" << r.err;
    EXPECT_NE(r.err.find("xvfb-run"), std::string::npos) << "stderr:\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_FALSE(fs::exists(out));
}

TEST_F(Gui, DesktopWithoutDisplayExplains) {
    std::vector<std::string> env = child_environment({}, {"DISPLAY", "WAYLAND_DISPLAY"});
    CommandResult r = run_command({NORMVIZ_BINARY, "--no-settings"}, env, kStartTimeout);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.exit_code, -1) << "the desktop program without a display hung";
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "stderr:\n" << r.err;
    EXPECT_NE(r.err.find("xvfb-run"), std::string::npos) << "stderr:\n" << r.err;
}

// normviz --help names the subcommands and every desktop option (the desktop's error messages
// send users there).
TEST_F(Gui, HelpListsSubcommandsAndDesktopOptions) {
    CommandResult r = run_command({NORMVIZ_BINARY, "--help"}, env(), kStartTimeout);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* word : {"normalize", "stats", "mask", "render", "--scene", "--presenter", "--quiz", "--view",
                             "--focus", "--export", "--no-settings"})
        EXPECT_NE(r.out.find(word), std::string::npos) << word << " is missing from:\n" << r.out;
}

TEST_F(Gui, SigtermEndsTheWindowAndStillSavesSettings) {
    // Without --no-settings: the settings go to XDG_CONFIG_HOME in the scratch folder.
    app_ = std::make_unique<Process>();
    ASSERT_TRUE(
        app_->start({options_.binary, "--no-vsync", "--status", "--size", "1400x900", "--shape", "2,3,4,5"}, env()));
    reader_ = std::make_unique<StatusReader>(*app_);
    ASSERT_TRUE(wait_block([](const StatusBlock&) { return true; }, kStartTimeout)) << diagnostics();
    ASSERT_EQ(::kill(app_->pid(), SIGTERM), 0);
    const std::optional<int> status = app_->wait_exit(kEventTimeout);
    ASSERT_TRUE(status) << "normviz did not exit after SIGTERM\n" << diagnostics();
    EXPECT_EQ(*status, 1) << diagnostics();
    std::ifstream in(tmp_ / "config" / "normviz" / "settings.ini");
    const std::string settings((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(settings.find("shape=2,3,4,5\n"), std::string::npos) << settings << diagnostics();
}

TEST_F(Gui, ShadersCompile) {
    // The program compiles and links its embedded shaders at start: a render that succeeds
    // proves they build on this GL.
    const std::string out = (tmp_ / "shaders.png").string();
    CommandResult r = run_command({NORMVIZ_BINARY, "render", "--shape", "1,2,2,2", "--norm", "layer", "--focus",
                                   "0,0,0,0", "--size", "320x240", "--out", out},
                                  env(), kStartTimeout);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << "GL errors or shader warnings:\n" << r.err;
    EXPECT_TRUE(fs::exists(out));
    auto glslang = find_tool("glslangValidator");
    if (!glslang) GTEST_SKIP() << "glslangValidator is not installed; checked the embedded shaders only";
    for (const auto& [stage, file] : {std::pair{"vert", "tensor_view.vert"}, std::pair{"frag", "tensor_view.frag"}}) {
        const std::string path = std::string(NORMVIZ_SOURCE_DIR) + "/shaders/" + file;
        CommandResult v = run_command({*glslang, "-S", stage, path}, tool_env(), Seconds(30));
        EXPECT_EQ(v.exit_code, 0) << path << ":\n" << v.out << v.err;
    }
}

}  // namespace
}  // namespace normviz::e2e
