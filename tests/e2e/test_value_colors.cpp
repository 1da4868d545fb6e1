// Real activations in the real program under Xvfb: the colour scales on post-ReLU data, the
// focus's group marked where cells are smaller than a pixel, NaN/Inf hatched, counted and
// reached with N, and a click in the gap between tiles taking the nearest cell.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "app/render/tensor_renderer.h"
#include "app/view/colormap.h"
#include "app/view/grid_layout.h"
#include "core/npy.h"
#include "core/partition.h"
#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

bool near_color(const unsigned char* px, app::Rgb c, int tolerance) {
    return std::abs(px[0] - c.r) <= tolerance && std::abs(px[1] - c.g) <= tolerance &&
           std::abs(px[2] - c.b) <= tolerance;
}

std::string describe(const unsigned char* px) {
    return "(" + std::to_string(px[0]) + "," + std::to_string(px[1]) + "," + std::to_string(px[2]) + ")";
}

// The hatching of NaN/Inf cells (tensor_view.frag): magenta stripes.
bool hatch_pixel(const unsigned char* px) {
    const int r = px[0], g = px[1], b = px[2];
    return r > 60 && b > 60 && std::abs(r - b) < 20 && g * 3 < std::min(r, b);
}

// Screen pixel of world point (wx, wy) in canvas `panel` (status: canvas rectangle, zoom, pan).
Pixel world_pixel(const StatusBlock& block, size_t panel, double wx, double wy) {
    const auto canvas = parse_numbers(block.panels.at(panel).at("canvas"));
    const auto pan = parse_numbers(block.layout.at("pan"));
    const double zoom = number(block.layout, "zoom");
    return {static_cast<int>(std::floor(canvas.at(0) + (wx - pan.at(0)) * zoom)),
            static_cast<int>(std::floor(canvas.at(1) + (wy - pan.at(1)) * zoom))};
}

size_t panel_named(const StatusBlock& block, const std::string& norm) {
    for (size_t i = 0; i < block.panels.size(); ++i)
        if (block.panels[i].at("norm") == norm) return i;
    ADD_FAILURE() << "no panel " << norm;
    return 0;
}

// Standard normal values drawn from `seed`.
core::Tensor normal_tensor(const core::Shape& s, uint32_t seed) {
    core::Tensor t = core::make_tensor(s);
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (float& x : t.data) x = normal(rng);
    return t;
}

// Normal values through a ReLU, with one large outlier: under a min-max range nearly every
// value sits at the bottom of the palette.
core::Tensor post_relu(const core::Shape& s, uint32_t seed) {
    core::Tensor t = normal_tensor(s, seed);
    for (float& x : t.data) x = std::max(0.0f, x);
    t.data[t.data.size() / 2 + 3] = 1000.0f;
    return t;
}

class ValueColors : public GuiFixture {
protected:
    ValueColors() : GuiFixture({.binary = NORMVIZ_BINARY, .tmp_root = NORMVIZ_E2E_TMP_DIR}) {}

    struct Run {
        std::vector<StatusBlock> blocks;
        Image image;
        const StatusBlock& last() const { return blocks.back(); }
    };

    // Runs the program for a few frames on `tensor` (written as NAME.npy) with `extra`.
    Run run_frames(const std::string& name, const core::Tensor& tensor, std::vector<std::string> extra) {
        Run out;
        const std::string npy = (tmp_ / (name + ".npy")).string(), png = (tmp_ / (name + ".png")).string();
        EXPECT_TRUE(core::write_npy(npy, tensor));
        extra.insert(extra.begin(), npy);
        const CommandResult r = GuiFixture::run_frames(6, png, extra, Seconds(240));
        EXPECT_EQ(r.exit_code, 0) << name << " stderr:\n" << r.err;
        EXPECT_EQ(r.err.find("GL error"), std::string::npos) << r.err;
        out.blocks = parse_status_text(r.out);
        if (out.blocks.empty()) {
            ADD_FAILURE() << name << ": no status block\n" << r.out;
            out.blocks.emplace_back();
        }
        std::string error;
        EXPECT_TRUE(out.image.load(png, error)) << error;
        return out;
    }
};

// Colour of value x under the range the status line reports (raw values, blue-red palette).
app::Rgb expected_color(const StatusBlock& block, double x) {
    const auto& ui = block.records.at("ui");
    const double t = (x - number(ui, "value_center")) / number(ui, "value_half_range");
    return app::palette_color(app::Palette::BlueRed, static_cast<float>(t));
}

TEST_F(ValueColors, PostReluDataIsFlatUnderTheSymmetricScaleAndSpreadUnderPercentiles) {
    const core::Shape s{2, 4, 8, 8};
    const core::Tensor t = post_relu(s, 9);
    // The focus's sample is the LayerNorm panel's group: drawn undimmed, so its cells show the
    // palette's colour itself. A zero and a value near the 99th percentile in sample 1.
    const core::Index focus_cell{1, 3, 7, 7};
    core::Index zero_cell{}, high_cell{};
    for (int64_t i = 0; i < s.numel(); ++i) {
        const core::Index c = core::unflat_index(s, i);
        if (c.n != 1 || c == focus_cell) continue;
        if (t.data[i] == 0.0f) zero_cell = c;
        if (t.data[i] > 2.2f && t.data[i] < 100) high_cell = c;
    }
    ASSERT_EQ(t.at(zero_cell), 0.0f);
    ASSERT_GT(t.at(high_cell), 2.2f);
    const std::vector<std::string> focus = {"--focus", "1,3,7,7", "--norm", "layer"};
    std::vector<app::Rgb> low_colors, high_colors;
    for (const std::string scale : {"symmetric", "min-max", "percentile", "channel-percentile"}) {
        SCOPED_TRACE(scale);
        std::vector<std::string> extra = focus;
        extra.insert(extra.end(), {"--color-scale", scale});
        const Run r = run_frames("relu_" + scale, t, extra);
        const StatusBlock& b = r.last();
        ASSERT_TRUE(b.records.count("ui"));
        EXPECT_EQ(b.records.at("ui").at("color_scale"), scale);
        EXPECT_EQ(number(b.records.at("ui"), "nan"), 0);
        for (const core::Index& cell : {zero_cell, high_cell}) {
            // A third into the cell: clear of its grid line and of a number printed in it.
            const app::Vec2 o = app::cell_origin(layout_of(b, s), cell);
            const Pixel p = world_pixel(b, 0, o.x + 0.3, o.y + 0.3);
            ASSERT_TRUE(p.x >= 0 && p.y >= 0 && p.x < r.image.width && p.y < r.image.height);
            const unsigned char* px = r.image.at(p.x, p.y);
            if (scale.rfind("channel", 0) != 0) {  // one range: the status line's
                EXPECT_TRUE(near_color(px, expected_color(b, t.at(cell)), 8))
                    << "cell " << index_text(cell) << " x=" << t.at(cell) << " drawn " << describe(px);
            }
            (cell == zero_cell ? low_colors : high_colors).push_back({px[0], px[1], px[2]});
        }
    }
    auto distance = [](app::Rgb a, app::Rgb b) {
        return std::abs(a.r - b.r) + std::abs(a.g - b.g) + std::abs(a.b - b.b);
    };
    // Symmetric and min-max: the outlier stretches the range, so 0 and the 99th percentile look
    // alike; the clipped scales put them at the two ends of the palette.
    EXPECT_LT(distance(low_colors[0], high_colors[0]), 30);
    EXPECT_LT(distance(low_colors[1], high_colors[1]), 30);
    EXPECT_GT(distance(low_colors[2], high_colors[2]), 200);
    EXPECT_GT(distance(low_colors[3], high_colors[3]), 150);
}

TEST_F(ValueColors, GroupOfOneCellPerTileIsMarkedWhenCellsAreSmallerThanAPixel) {
    const core::Shape s{8, 64, 28, 28};
    core::Tensor t = normal_tensor(s, 2);
    const core::Index focus{3, 5, 10, 17};
    const Run r = run_frames("subpixel", t, {"--focus", "3,5,10,17", "--norm", "layer-token,batch"});
    const StatusBlock& b = r.last();
    ASSERT_LT(number(b.layout, "zoom"), 1.0) << "cells must be smaller than a pixel here";
    const app::GridLayout layout = layout_of(b, s);
    const size_t token = panel_named(b, "layer-token");
    // Every cell of the group (n = 3, h = 10, w = 17, any c) has highlight or focus pixels at it.
    int marked = 0;
    for (int64_t c = 0; c < s.C; ++c) {
        const app::Vec2 o = app::cell_origin(layout, {focus.n, c, focus.h, focus.w});
        const Pixel p = world_pixel(b, token, o.x + 0.5, o.y + 0.5);
        bool found = false;
        for (int dy = -1; dy <= 1 && !found; ++dy)
            for (int dx = -1; dx <= 1 && !found; ++dx) {
                const unsigned char* px = r.image.at(p.x + dx, p.y + dy);
                found = near_color(px, app::kHighlight, 10) || near_color(px, app::kFocusRing, 10);
            }
        marked += found;
        EXPECT_TRUE(found) << "no mark at channel " << c << " pixel (" << p.x << ", " << p.y << ")";
    }
    EXPECT_EQ(marked, s.C);
    // Away from the group (another sample) no highlight: the mark is the group, not noise.
    int stray = 0;
    for (int64_t c = 0; c < s.C; ++c) {
        const app::Vec2 o = app::cell_origin(layout, {0, c, focus.h, focus.w});
        const Pixel p = world_pixel(b, token, o.x + 0.5, o.y + 0.5);
        stray += near_color(r.image.at(p.x, p.y), app::kHighlight, 10);
    }
    EXPECT_EQ(stray, 0);
}

TEST_F(ValueColors, NonFiniteValuesAreHatchedCountedAndReachedWithN) {
    const core::Shape s{2, 3, 6, 6};
    core::Tensor t = normal_tensor(s, 4);
    const core::Index nan_a{0, 1, 2, 3}, inf_b{1, 0, 4, 4}, nan_c{1, 2, 5, 0};
    t.at(nan_a) = NAN;
    t.at(inf_b) = INFINITY;
    t.at(nan_c) = NAN;
    const std::string npy = (tmp_ / "nonfinite.npy").string();
    ASSERT_TRUE(core::write_npy(npy, t));
    ASSERT_NO_FATAL_FAILURE(launch({npy, "--focus", "0,0,0,0", "--norm", "layer,batch"}));
    auto first = wait_block([](const StatusBlock& b) { return b.records.count("ui") > 0; }, kStartTimeout);
    ASSERT_TRUE(first) << diagnostics();
    EXPECT_EQ(number(first->records.at("ui"), "nan"), 2);
    EXPECT_EQ(number(first->records.at("ui"), "inf"), 1);
    const std::string window = find_window();
    ASSERT_FALSE(window.empty());
    xdo_ok({"windowfocus", "--sync", window});
    park_pointer();
    settle();
    for (const core::Index& want : {nan_a, inf_b, nan_c, nan_a}) {  // memory order, then around
        xdo_ok({"key", "--delay", "200", "n"});
        EXPECT_TRUE(wait_focus(want)) << "N did not move the focus to " << index_text(want) << "\n" << diagnostics();
    }
    Image image;
    ASSERT_NO_FATAL_FAILURE(save_screenshot(image, {"--window", window}));
    const StatusBlock& now = *reader_->last_block();
    const double zoom = number(now.layout, "zoom");
    for (const core::Index& cell : {nan_a, inf_b, nan_c}) {
        const Pixel p = cell_center(now, 1, s, cell);  // BatchNorm panel: raw values
        int hatched = 0;
        const int r = static_cast<int>(zoom * 0.4);
        for (int dy = -r; dy <= r; ++dy)
            for (int dx = -r; dx <= r; ++dx) hatched += hatch_pixel(image.at(p.x + dx, p.y + dy));
        EXPECT_GT(hatched, 0) << "cell " << index_text(cell) << " is not hatched";
    }
}

TEST_F(ValueColors, AClickInTheGapBetweenTilesSelectsTheNearestCell) {
    ASSERT_NO_FATAL_FAILURE(launch({"--focus", "0,0,0,0"}));
    auto first = wait_block([](const StatusBlock& b) { return !b.panels.empty() && b.panels[0].count("canvas"); },
                            kStartTimeout);
    ASSERT_TRUE(first) << diagnostics();
    const core::Shape s{4, 6, 4, 4};
    const app::GridLayout layout = layout_of(*first, s);
    const double zoom = number(first->layout, "zoom");
    ASSERT_GE(layout.tile_gap * zoom, 4.0) << "the gap is too narrow to click into";
    const std::string window = find_window();
    ASSERT_FALSE(window.empty());
    // Just right of cell (2, 3, 1, W-1), 40 % into the gap before tile c = 4.
    const core::Index cell{2, 3, 1, 3};
    const app::Vec2 o = app::cell_origin(layout, cell);
    const Pixel p = world_pixel(*first, 0, o.x + 1 + layout.tile_gap * 0.4, o.y + 0.5);
    ASSERT_FALSE(app::cell_at(layout, {static_cast<float>(o.x + 1 + layout.tile_gap * 0.4), o.y + 0.5f}));
    xdo_ok({"mousemove", "--window", window, std::to_string(p.x), std::to_string(p.y), "click", "1"});
    EXPECT_TRUE(wait_focus(cell)) << "a click in the gap did not select " << index_text(cell) << "\n" << diagnostics();
}

}  // namespace
}  // namespace normviz::e2e
