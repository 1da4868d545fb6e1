// End-to-end tests of the classroom layer in the real normviz program, under its own Xvfb with
// real X input (xdotool): the quiz is answered by clicking cells, dragging rectangles,
// Shift+clicking tiles, clicking labels, clicking voxels in the cube view and pressing a
// multiple-choice key, revealed with Enter, and its score read back from the --status "quiz"
// record; F12 saves the revealed picture. Exports are checked as files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "app/view/cube_camera.h"
#include "app/view/cube_geometry.h"
#include "app/view/grid_layout.h"
#include "core/norm_spec.h"
#include "core/partition.h"
#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

namespace fs = std::filesystem;

class ClassroomGui : public GuiFixture {
protected:
    ClassroomGui() : GuiFixture({.binary = NORMVIZ_BINARY, .tmp_root = NORMVIZ_E2E_TMP_DIR}) {}

    // The next block whose quiz record has `field` = `value`.
    std::optional<StatusBlock> wait_quiz(const std::string& field, const std::string& value) {
        return reader_->wait_block(
            [&](const StatusBlock& b) { return b.record("quiz") && b.record("quiz")->at(field) == value; },
            kEventTimeout);
    }

    // A world point of the grid in canvas `panel` of `block` as a screen pixel.
    static Pixel grid_pixel(const StatusBlock& block, size_t panel, app::Vec2 world) {
        const auto canvas = parse_numbers(block.panels.at(panel).at("canvas"));
        const auto pan = parse_numbers(block.layout.at("pan"));
        const double zoom = number(block.layout, "zoom");
        return {static_cast<int>(std::floor(canvas.at(0) + (world.x - pan.at(0)) * zoom)),
                static_cast<int>(std::floor(canvas.at(1) + (world.y - pan.at(1)) * zoom))};
    }
};

core::Index parse_index(const std::string& text) {
    const auto f = parse_numbers(text);
    EXPECT_EQ(f.size(), 4u) << text;
    if (f.size() != 4) return {};
    return {int64_t(f[0]), int64_t(f[1]), int64_t(f[2]), int64_t(f[3])};
}

// Highlight-coloured pixels (the group's outline) inside canvas `panel`.
int64_t highlighted_in_canvas(const Image& image, const StatusBlock& block, size_t panel) {
    const auto canvas = parse_numbers(block.panels.at(panel).at("canvas"));
    int64_t count = 0;
    for (int y = std::max(0, int(canvas[1])); y < std::min(image.height, int(canvas[1] + canvas[3])); ++y)
        for (int x = std::max(0, int(canvas[0])); x < std::min(image.width, int(canvas[0] + canvas[2])); ++x) {
            const unsigned char* px = image.at(x, y);
            count += std::abs(px[0] - 255) < 30 && std::abs(px[1] - 196) < 30 && px[2] < 40;
        }
    return count;
}

// The student marks every cell pooled with the asked cell but one, plus one cell that is not
// pooled; Enter reveals: hits = pooled - 1 (the asked cell counts as a hit), one miss, one
// false alarm, score = hits / (pooled + false alarms).
TEST_F(ClassroomGui, QuizClickRevealScore) {
    const core::Shape shape{2, 4, 3, 3};
    ASSERT_NO_FATAL_FAILURE(launch({"--shape", "2,4,3,3", "--quiz"}));
    auto first = reader_->wait_block(
        [](const StatusBlock& b) { return b.record("quiz") && !b.panels.empty() && b.panels[0].count("canvas"); },
        kStartTimeout);
    ASSERT_TRUE(first) << "no status block with a quiz record\n" << diagnostics();
    const auto& q = *first->record("quiz");
    EXPECT_EQ(q.at("revealed"), "0");
    EXPECT_EQ(q.at("guesses"), "0");
    ASSERT_EQ(first->panels.size(), 1u) << "the quiz shows only the asked norm";
    EXPECT_EQ(first->panels[0].at("norm"), q.at("norm"));
    EXPECT_EQ(first->focus(), q.at("focus")) << "the asked cell is the focus";
    EXPECT_EQ(first->records.at("ui").at("stats"), "0") << "the statistics sidebar would give the answer away";

    // The answer, from core: the asked norm's group of the asked cell.
    core::NormSpec spec;
    auto kind = core::parse_norm_name(q.at("norm"));
    ASSERT_TRUE(kind) << q.at("norm");
    spec.kind = kind.value();
    spec.groups = 2;
    const auto f = parse_numbers(q.at("focus"));
    ASSERT_EQ(f.size(), 4u);
    const core::Index focus{int64_t(f[0]), int64_t(f[1]), int64_t(f[2]), int64_t(f[3])};
    const core::Partition partition = core::make_partition(spec, shape);
    const std::vector<uint8_t> mask = core::group_mask(partition, focus);
    ASSERT_EQ(number(q, "pooled"), double(partition.group_size()));
    std::vector<core::Index> pooled_others, outside;
    for (int64_t flat = 0; flat < shape.numel(); ++flat) {
        const core::Index i = core::unflat_index(shape, flat);
        if (i == focus) continue;
        (mask[flat] ? pooled_others : outside).push_back(i);
    }
    ASSERT_GE(pooled_others.size(), 2u);
    ASSERT_FALSE(outside.empty());
    std::vector<core::Index> clicks(pooled_others.begin() + 1, pooled_others.end());  // leave one out: a miss
    clicks.push_back(outside.back());                                                 // one wrong: a false alarm

    const std::string window = find_window();
    ASSERT_FALSE(window.empty());
    xdo_ok({"windowfocus", "--sync", window});
    const StatusBlock geometry = *first;
    for (size_t k = 0; k < clicks.size(); ++k) {
        SCOPED_TRACE("click " + std::to_string(k + 1) + " on (" + index_text(clicks[k]) + ")");
        ASSERT_NO_FATAL_FAILURE(click_cell(window, geometry, 0, shape, clicks[k]));
        const std::string want = std::to_string(k + 1);
        auto marked = reader_->wait_block(
            [&](const StatusBlock& b) { return b.record("quiz") && b.record("quiz")->at("guesses") == want; },
            kEventTimeout);
        ASSERT_TRUE(marked) << "the click did not mark the cell\n" << diagnostics();
        EXPECT_EQ(marked->focus(), q.at("focus")) << "a quiz click must not move the focus";
    }

    park_pointer();
    xdo_ok({"key", "--delay", "200", "Return"});
    auto revealed = reader_->wait_block(
        [](const StatusBlock& b) { return b.record("quiz") && b.record("quiz")->at("revealed") == "1"; },
        kEventTimeout);
    ASSERT_TRUE(revealed) << "Enter did not reveal the answer\n" << diagnostics();
    const auto& r = *revealed->record("quiz");
    const double pooled = double(partition.group_size());
    EXPECT_EQ(number(r, "guesses"), double(clicks.size()));
    EXPECT_EQ(number(r, "hits"), pooled - 1);
    EXPECT_EQ(number(r, "misses"), 1.0);
    EXPECT_EQ(number(r, "false_alarms"), 1.0);
    EXPECT_NEAR(number(r, "score"), (pooled - 1) / (pooled + 1), 1e-12);

    // F12 saves the revealed quiz (hits as dots, the miss as a ring, the false alarm as a cross).
    settle();
    Image image;
    ASSERT_NO_FATAL_FAILURE(save_screenshot(image));
    keep_shot("quiz_revealed.png");
}

// The quiz's marks are cells of the tensor it asked about. Marks in the last sample, then the
// batch editor's Remove (N 8 -> 7): the overlay drew the old marks past the new tensor's end
// and the program stopped with an internal error (found by the window soak). Now the new
// shape asks a new question, with no marks, and the window goes on.
TEST_F(ClassroomGui, RemovingASampleDuringAQuizAsksANewQuestion) {
    const core::Shape shape{8, 3, 4, 4};
    ASSERT_NO_FATAL_FAILURE(launch({"--shape", "8,3,4,4", "--quiz"}));
    auto first = reader_->wait_block(
        [](const StatusBlock& b) {
            return b.record("quiz") && b.record("batch") && !b.panels.empty() && b.panels[0].count("canvas");
        },
        kStartTimeout);
    ASSERT_TRUE(first) << "no status block with quiz and batch records\n" << diagnostics();
    const std::string round = first->record("quiz")->at("round");
    const std::string window = find_window();
    ASSERT_FALSE(window.empty());
    xdo_ok({"windowfocus", "--sync", window});
    ASSERT_NO_FATAL_FAILURE(click_at(window, cell_center(*first, 0, shape, {7, 1, 1, 2}), true));
    auto marked = wait_quiz("guesses", "16");
    ASSERT_TRUE(marked) << "Shift+click did not mark the tile\n" << diagnostics();
    const auto xy = parse_numbers(marked->records.at("batch").at("remove"));
    ASSERT_EQ(xy.size(), 2u);
    ASSERT_GT(xy[0], 0) << "the Remove button is not drawn";
    xdo_ok({"mousemove", "--window", window, std::to_string(int(xy[0])), std::to_string(int(xy[1])), "click", "1"});
    auto asked = reader_->wait_block(
        [&](const StatusBlock& b) { return b.status.at("shape") == "7,3,4,4" && b.record("quiz"); }, kStartTimeout);
    ASSERT_TRUE(asked) << "Remove did not make a batch of 7\n" << diagnostics();
    EXPECT_NE(asked->record("quiz")->at("round"), round);
    EXPECT_EQ(asked->record("quiz")->at("guesses"), "0");
    app_->drain();
    EXPECT_EQ(app_->stderr_text().find("internal error"), std::string::npos) << app_->stderr_text();
    // Still drawing: a frame after the edit answers F12 with a screenshot.
    Image image;
    ASSERT_NO_FATAL_FAILURE(save_screenshot(image));
}

// A BatchNorm question on (8, 3, 4, 4) without 128 clicks: a dragged rectangle marks a whole
// tile and the same drag unmarks it; Shift+click marks a cell's tile; a click on a sample
// label marks the sample; a click on the asked channel's label "c=k" marks that channel in
// every sample, which is the answer: Enter reveals 128 hits, no false alarm, score 1.
TEST_F(ClassroomGui, QuizMarksRectanglesTilesSamplesAndChannels) {
    const core::Shape shape{8, 3, 4, 4};
    ASSERT_NO_FATAL_FAILURE(launch({"--shape", "8,3,4,4", "--quiz"}));
    auto first = reader_->wait_block(
        [](const StatusBlock& b) { return b.record("quiz") && !b.panels.empty() && b.panels[0].count("canvas"); },
        kStartTimeout);
    ASSERT_TRUE(first) << "no status block with a quiz record\n" << diagnostics();
    const auto& q = *first->record("quiz");
    ASSERT_EQ(q.at("kind"), "cells");
    ASSERT_EQ(q.at("norm"), "batch") << "the first question asks BatchNorm";
    const core::Index focus = parse_index(q.at("focus"));
    const int64_t other = (focus.c + 1) % shape.C;
    const app::GridLayout layout = app::make_grid_layout(shape);
    const StatusBlock& g = *first;
    const std::string window = find_window();
    ASSERT_FALSE(window.empty());
    xdo_ok({"windowfocus", "--sync", window});

    // A rectangle from the first to the last cell of tile (n=0, c=other): 16 cells; again: none.
    const Pixel a = cell_center(g, 0, shape, {0, other, 0, 0}), b = cell_center(g, 0, shape, {0, other, 3, 3});
    ASSERT_NO_FATAL_FAILURE(drag(window, a, b));
    ASSERT_TRUE(wait_quiz("guesses", "16")) << "the drag did not mark the tile\n" << diagnostics();
    ASSERT_NO_FATAL_FAILURE(drag(window, a, b));
    ASSERT_TRUE(wait_quiz("guesses", "0")) << "the same drag did not unmark it\n" << diagnostics();
    EXPECT_EQ(reader_->last_block()->focus(), q.at("focus")) << "a drag in a quiz neither pans nor moves the focus";
    EXPECT_EQ(reader_->last_block()->layout.at("pan"), g.layout.at("pan"));

    // Shift+click: the whole tile of the clicked cell; again: unmarked.
    ASSERT_NO_FATAL_FAILURE(click_at(window, cell_center(g, 0, shape, {2, other, 1, 2}), true));
    ASSERT_TRUE(wait_quiz("guesses", "16")) << "Shift+click did not mark the tile\n" << diagnostics();
    ASSERT_NO_FATAL_FAILURE(click_at(window, cell_center(g, 0, shape, {2, other, 1, 2}), true));
    ASSERT_TRUE(wait_quiz("guesses", "0")) << diagnostics();

    // The label "n=5": the whole sample (C * H * W cells); again: unmarked.
    const double font = number(g.records.at("ui"), "font");
    const app::Vec2 block5 = app::block_origin(layout, 5);
    const Pixel b5 = grid_pixel(g, 0, block5);
    const double zoom = number(g.layout, "zoom");
    const Pixel n_label = layout.blocks_per_row == 1
                              ? Pixel{b5.x - 10, int(b5.y + 0.5 * layout.block_height() * zoom)}
                              : Pixel{b5.x + 6, int(b5.y + layout.block_height() * zoom + 1 + 0.5 * font)};
    ASSERT_NO_FATAL_FAILURE(click_at(window, n_label));
    ASSERT_TRUE(wait_quiz("guesses", std::to_string(shape.C * shape.H * shape.W)))
        << "a click on the label n=5 did not mark the sample\n"
        << diagnostics();
    ASSERT_NO_FATAL_FAILURE(click_at(window, n_label));
    ASSERT_TRUE(wait_quiz("guesses", "0")) << diagnostics();

    // The label "c=<asked channel>" above sample 0's tile: that channel in every sample.
    const Pixel tile = grid_pixel(g, 0, app::tile_origin(layout, 0, focus.c));
    ASSERT_NO_FATAL_FAILURE(click_at(window, {tile.x + 6, int(tile.y - 1 - 0.5 * font)}));
    auto marked = wait_quiz("guesses", std::to_string(shape.N * shape.H * shape.W));
    ASSERT_TRUE(marked) << "a click on the channel label did not mark the channel\n" << diagnostics();

    park_pointer();
    xdo_ok({"key", "--delay", "200", "Return"});
    auto revealed = wait_quiz("revealed", "1");
    ASSERT_TRUE(revealed) << diagnostics();
    const auto& r = *revealed->record("quiz");
    EXPECT_EQ(number(r, "pooled"), 128.0);
    EXPECT_EQ(number(r, "hits"), 128.0);
    EXPECT_EQ(number(r, "false_alarms"), 0.0);
    EXPECT_EQ(number(r, "score"), 1.0);
    EXPECT_EQ(r.at("explained"), "1") << "the reveal explains the group in a sentence";
    settle();
    Image image;
    ASSERT_NO_FATAL_FAILURE(save_screenshot(image));
    keep_shot("quiz_channel_revealed.png");
}

// In the cube view the quiz hides the group (no highlight outline) until Enter, and a click on
// a voxel marks that element instead of moving the focus; the reveal scores the clicks and
// shows the group.
TEST_F(ClassroomGui, QuizInTheCubeViewHidesTheGroupAndTakesVoxelClicks) {
    const core::Shape shape{2, 3, 2, 2};
    ASSERT_NO_FATAL_FAILURE(launch({"--shape", "2,3,2,2", "--quiz", "--view", "cube"}));
    auto first = reader_->wait_block(
        [](const StatusBlock& b) {
            return b.record("quiz") && b.records.count("cube") && !b.panels.empty() && b.panels[0].count("canvas");
        },
        kStartTimeout);
    ASSERT_TRUE(first) << diagnostics();
    const auto& q = *first->record("quiz");
    const core::Index focus = parse_index(q.at("focus"));
    core::NormSpec spec;
    auto kind = core::parse_norm_name(q.at("norm"));
    ASSERT_TRUE(kind);
    spec.kind = kind.value();
    spec.groups = 2;
    const core::Partition partition = core::make_partition(spec, shape);

    // Where voxels are drawn: the same geometry and camera as the program (--status cube).
    const auto& cube = first->records.at("cube");
    const app::CubeGeometry geometry =
        app::make_cube_geometry(shape, cube.at("split") == "1", std::atoll(cube.at("max_voxels").c_str()));
    ASSERT_FALSE(geometry.binned());
    const app::CubeCamera camera{float(number(cube, "yaw")), float(number(cube, "pitch")),
                                 float(number(cube, "distance"))};
    const auto canvas = parse_numbers(first->panels.at(0).at("canvas"));
    const app::CubeView view = app::make_cube_view(camera, geometry, {float(canvas.at(2)), float(canvas.at(3))});
    // A visible face centre of one pooled element and of one element outside the group.
    std::optional<Pixel> pooled, outside;
    for (int64_t flat = 0; flat < shape.numel(); ++flat) {
        const core::Index e = core::unflat_index(shape, flat);
        if (e == focus) continue;
        const bool in_group = partition.same_group(e, focus);
        if ((in_group && pooled) || (!in_group && outside)) continue;
        const app::Box box = app::voxel_box(geometry, app::voxel_of(geometry, e));
        for (int side = 0; side < 6; ++side) {
            const int axis = side / 2;
            glm::vec3 p = box.center();
            p[axis] = side % 2 == 0 ? box.hi[axis] : box.lo[axis];
            if ((view.eye[axis] - p[axis]) * (side % 2 == 0 ? 1.0f : -1.0f) <= 0.0f) continue;
            const glm::vec2 local = app::project_to_screen(view, p);
            const auto picked = app::pick_element(geometry, view, local);
            if (!picked || !(*picked == e)) continue;
            const Pixel px{int(std::lround(canvas[0] + local.x)), int(std::lround(canvas[1] + local.y))};
            (in_group ? pooled : outside) = px;
            break;
        }
    }
    ASSERT_TRUE(pooled && outside) << "no visible voxel to click";

    park_pointer();
    settle();
    Image before;
    ASSERT_NO_FATAL_FAILURE(save_screenshot(before));
    keep_shot("quiz_cube_asked.png");
    const int64_t hidden = highlighted_in_canvas(before, *first, 0);

    const std::string window = find_window();
    xdo_ok({"windowfocus", "--sync", window});
    ASSERT_NO_FATAL_FAILURE(click_at(window, *pooled));
    auto one = wait_quiz("guesses", "1");
    ASSERT_TRUE(one) << "a voxel click did not mark a guess\n" << diagnostics();
    EXPECT_EQ(one->focus(), q.at("focus")) << "a quiz click must not move the focus";
    ASSERT_NO_FATAL_FAILURE(click_at(window, *outside));
    ASSERT_TRUE(wait_quiz("guesses", "2")) << diagnostics();

    park_pointer();
    xdo_ok({"key", "--delay", "200", "Return"});
    auto revealed = wait_quiz("revealed", "1");
    ASSERT_TRUE(revealed) << diagnostics();
    const auto& r = *revealed->record("quiz");
    EXPECT_EQ(number(r, "hits"), 2.0) << "the clicked pooled voxel and the asked cell";
    EXPECT_EQ(number(r, "false_alarms"), 1.0);
    EXPECT_EQ(number(r, "pooled"), double(partition.group_size()));
    settle();
    Image after;
    ASSERT_NO_FATAL_FAILURE(save_screenshot(after));
    keep_shot("quiz_cube_revealed.png");
    const int64_t shown = highlighted_in_canvas(after, *revealed, 0);
    EXPECT_LT(hidden, 20) << "the group is outlined before the reveal";
    EXPECT_GT(shown, hidden + 200) << "the reveal does not show the group";
}

// Every third question is multiple choice. The third one here asks how many statistics (or
// values per statistic) a norm keeps on (8, 8, 4, 4) with G = 4; the test computes the answer
// from core's partition, presses its number key, and the program reveals it as right. On the
// way, leaving presenter mode and F3 do not bring back the statistics sidebar.
TEST_F(ClassroomGui, QuizMultipleChoiceAnsweredWithAKey) {
    const core::Shape shape{8, 8, 4, 4};
    ASSERT_NO_FATAL_FAILURE(launch({"--shape", "8,8,4,4", "--groups", "4", "--quiz"}));
    auto first = wait_block([](const StatusBlock& b) { return b.record("quiz") != nullptr; }, kStartTimeout);
    ASSERT_TRUE(first) << diagnostics();
    const std::string window = focus_window();

    for (const char* key : {"F5", "F5", "F3"}) xdo_ok({"key", "--delay", "300", key});
    auto after_keys = wait_block([](const StatusBlock& b) {
        return b.record("quiz") && b.records.at("ui").at("presenter") == "0" && b.records.at("ui").at("quiz") == "1";
    });
    ASSERT_TRUE(after_keys) << diagnostics();
    settle();
    EXPECT_EQ(reader_->last_block()->records.at("ui").at("stats"), "0")
        << "presenter mode or F3 brought back the statistics sidebar during the quiz";

    // Enter reveals, Enter asks the next: two cell questions, then the multiple choice.
    for (int k = 0; k < 4; ++k) xdo_ok({"key", "--delay", "250", "Return"});
    auto mc = reader_->wait_block(
        [](const StatusBlock& b) { return b.record("quiz") && b.record("quiz")->at("kind") != "cells"; },
        kEventTimeout);
    ASSERT_TRUE(mc) << "no multiple-choice question\n" << diagnostics();
    const auto& q = *mc->record("quiz");
    EXPECT_EQ(q.at("revealed"), "0");
    core::NormSpec spec;
    auto kind = core::parse_norm_name(q.at("norm"));
    ASSERT_TRUE(kind);
    spec.kind = kind.value();
    spec.groups = 4;
    const core::Partition partition = core::make_partition(spec, shape);
    const int64_t truth = q.at("kind") == "count" ? partition.group_count() : partition.group_size();
    const auto choices = parse_numbers(q.at("choices"));
    ASSERT_GE(choices.size(), 2u);
    int index = -1;
    for (size_t k = 0; k < choices.size(); ++k)
        if (int64_t(choices[k]) == truth) index = int(k);
    ASSERT_GE(index, 0) << "the true answer " << truth << " is not among " << q.at("choices");
    EXPECT_EQ(std::count(choices.begin(), choices.end(), double(truth)), 1);

    xdo_ok({"key", "--delay", "200", std::to_string(index + 1)});
    auto answered = wait_quiz("revealed", "1");
    ASSERT_TRUE(answered) << "the number key did not answer\n" << diagnostics();
    const auto& r = *answered->record("quiz");
    EXPECT_EQ(r.at("choice"), std::to_string(index));
    EXPECT_EQ(r.at("answer"), std::to_string(index)) << "the program's answer differs from core's partition";
    EXPECT_EQ(r.at("explained"), "1");
    EXPECT_EQ(answered->panels.at(0).at("norm"), q.at("norm")) << "the number key switched the shown norm";
    settle();
    Image image;
    ASSERT_NO_FATAL_FAILURE(save_screenshot(image));
    keep_shot("quiz_multiple_choice.png");
}

// How unlike a 4K picture looks to its 1080p version at a glance: both cut into 16 x 16
// blocks (at 1080p; 32 x 32 in the 4K one), the share of blocks whose mean colour differs by
// more than 24 in a channel. Blocks forgive the one-pixel shifts between the two renderings
// (outlines, glyph edges) but not text drawn at a different size.
double blocks_unlike(const Image& big, const Image& small) {
    EXPECT_EQ(big.width, 2 * small.width);
    EXPECT_EQ(big.height, 2 * small.height);
    if (big.width != 2 * small.width || big.height != 2 * small.height) return 1;
    constexpr int kBlock = 16;
    int64_t differ = 0, blocks = 0;
    for (int by = 0; by + kBlock <= small.height; by += kBlock)
        for (int bx = 0; bx + kBlock <= small.width; bx += kBlock, ++blocks) {
            int64_t worst = 0;
            for (int k = 0; k < 3; ++k) {
                int64_t s = 0, b = 0;
                for (int y = by; y < by + kBlock; ++y)
                    for (int x = bx; x < bx + kBlock; ++x) {
                        s += small.at(x, y)[k];
                        b += big.at(2 * x, 2 * y)[k] + big.at(2 * x + 1, 2 * y)[k] + big.at(2 * x, 2 * y + 1)[k] +
                             big.at(2 * x + 1, 2 * y + 1)[k];
                    }
                worst = std::max<int64_t>(worst, std::abs(s / (kBlock * kBlock) - b / (4 * kBlock * kBlock)));
            }
            differ += worst > 24;
        }
    return double(differ) / double(blocks);
}

// Slides: `render --size 3840x2160` and the window's File > Export at 3840 x 2160 read like
// the same pictures at 1920 x 1080 (titles, labels and legend twice the pixel size, so the 4K
// picture shrunk to 1080p nearly matches); with the old fixed 16 px text the 4K render does
// not. The window's export carries its panel titles and the colour bar.
TEST_F(ClassroomGui, FiguresAt4kReadLikeTheir1080pSelves) {
    const std::string lesson = std::string(NORMVIZ_SOURCE_DIR) + "/assets/lessons/06_padding.json";
    auto render = [&](const std::string& size, const std::vector<std::string>& extra, Image& image) {
        const std::string out = (tmp_ / ("render-" + size + std::to_string(extra.size()) + ".png")).string();
        std::vector<std::string> args = {NORMVIZ_BINARY, "render", "--scene", lesson, "--step", "2",
                                         "--size",       size,     "--out",   out};
        args.insert(args.end(), extra.begin(), extra.end());
        CommandResult r = run_command(args, env(), kStartTimeout);
        ASSERT_EQ(r.exit_code, 0) << "stderr:\n" << r.err;
        std::string error;
        ASSERT_TRUE(image.load(out, error)) << error;
    };
    auto export_png = [&](const std::string& size, Image& image) {
        const std::string base = (tmp_ / ("export-" + size)).string();
        CommandResult r = run_command(
            {NORMVIZ_BINARY, "--no-settings", "--no-vsync", "--frames", "3", "--export", base, "--export-size", size},
            env(), kStartTimeout);
        ASSERT_EQ(r.exit_code, 0) << "stderr:\n" << r.err;
        std::string error;
        ASSERT_TRUE(image.load(base + ".png", error)) << error;
    };
    Image r1, r4, r4_small_text, e1, e4;
    ASSERT_NO_FATAL_FAILURE(render("1920x1080", {}, r1));
    ASSERT_NO_FATAL_FAILURE(render("3840x2160", {}, r4));
    ASSERT_NO_FATAL_FAILURE(render("3840x2160", {"--font-size", "16"}, r4_small_text));
    ASSERT_NO_FATAL_FAILURE(export_png("1920x1080", e1));
    ASSERT_NO_FATAL_FAILURE(export_png("3840x2160", e4));
    const double render_alike = blocks_unlike(r4, r1), old_text = blocks_unlike(r4_small_text, r1);
    const double export_alike = blocks_unlike(e4, e1);
    std::printf("blocks unlike 1080p: render 4K %.4f, render 4K with 16 px text %.4f, export 4K %.4f\n", render_alike,
                old_text, export_alike);
    EXPECT_LT(render_alike, 0.06);
    EXPECT_LT(export_alike, 0.06);
    EXPECT_GT(old_text, 0.12) << "the comparison cannot tell text sizes apart";

    // Titles at the top of the export (light text on the dark header) and the colour bar's
    // ends at the bottom (deep blue and deep red), as in the window.
    int64_t title = 0, blue = 0, red = 0;
    for (int y = 0; y < 24; ++y)  // the panel headers' row (1.5 em of 16 px)
        for (int x = 0; x < e1.width; ++x)
            title += e1.at(x, y)[0] > 200 && e1.at(x, y)[1] > 200 && e1.at(x, y)[2] > 200;
    for (int y = e1.height - 60; y < e1.height; ++y)
        for (int x = 0; x < e1.width / 2; ++x) {
            const unsigned char* px = e1.at(x, y);
            blue += px[2] > 120 && px[0] < 60;
            red += px[0] > 120 && px[2] < 60 && px[1] < 60;
        }
    EXPECT_GT(title, 150) << "no panel title in the export";
    EXPECT_GT(blue, 40) << "no colour bar in the export";
    EXPECT_GT(red, 40) << "no colour bar in the export";
}

// --export writes what File > Export writes: the PNG at 3840 x 2160 (the largest size), the
// SVG with one group per shown norm, and the statistics CSV with one row per norm.
TEST_F(ClassroomGui, ExportPngSvgCsvAt4k) {
    const std::string base = (tmp_ / "figure").string();
    CommandResult r = run_command({NORMVIZ_BINARY, "--no-settings", "--no-vsync", "--status", "--frames", "3",
                                   "--export", base, "--export-size", "3840x2160"},
                                  env(), kStartTimeout);
    ASSERT_EQ(r.exit_code, 0) << "stderr:\n" << r.err;
    for (const char* ext : {".png", ".svg", ".csv"})
        EXPECT_NE(r.out.find("export path=" + base + ext + " ok=1"), std::string::npos) << ext << "\n" << r.out;
    Image image;
    std::string error;
    ASSERT_TRUE(image.load(base + ".png", error)) << error;
    EXPECT_EQ(image.width, 3840);
    EXPECT_EQ(image.height, 2160);
    int64_t highlighted = 0;  // the focus's groups are outlined in the highlight colour
    for (int y = 0; y < image.height; y += 2)
        for (int x = 0; x < image.width; x += 2) {
            const unsigned char* px = image.at(x, y);
            highlighted += std::abs(px[0] - 255) < 30 && std::abs(px[1] - 196) < 30 && px[2] < 40;
        }
    EXPECT_GT(highlighted, 1000);
    std::ifstream svg_file(base + ".svg");
    const std::string svg((std::istreambuf_iterator<char>(svg_file)), std::istreambuf_iterator<char>());
    EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
    for (const char* norm : {"batch", "layer", "instance", "group", "layer-token", "rms"})
        EXPECT_NE(svg.find(std::string("id=\"panel-") + norm + "\""), std::string::npos) << norm;
    std::ifstream csv_file(base + ".csv");
    std::string line;
    int lines = 0;
    while (std::getline(csv_file, line)) ++lines;
    EXPECT_EQ(lines, 7) << "a header and one row per shown norm";

    // A size over 3840 x 2160 is refused with a message, before any window opens.
    CommandResult big =
        run_command({NORMVIZ_BINARY, "--no-settings", "--frames", "1", "--export", base, "--export-size", "7680x4320"},
                    env(), kStartTimeout);
    EXPECT_EQ(big.exit_code, 2);
    EXPECT_NE(big.err.find("3840x2160"), std::string::npos) << big.err;
}

// A screenshot or export destination that cannot take the file (a FIFO, a folder, a link)
// stops the program before its window opens: one line, exit 1, nothing written. The
// screenshot used to fail at the last frame and exit 0; the export wrote its PNG and SVG
// before finding that BASE.csv was a folder.
TEST_F(ClassroomGui, BadScreenshotOrExportDestinationsStopBeforeTheWindow) {
    namespace fs = std::filesystem;
    const fs::path fifo = tmp_ / "fifo.png", folder = tmp_ / "folder.png", link = tmp_ / "link.png";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    fs::create_directory(folder);
    { std::ofstream(tmp_ / "victim") << "precious"; }
    fs::create_symlink("victim", link);
    fs::create_directory(tmp_ / "fig.csv");
    const std::vector<std::vector<std::string>> cases = {{"--screenshot", fifo.string()},
                                                         {"--screenshot", folder.string()},
                                                         {"--screenshot", link.string()},
                                                         {"--export", (tmp_ / "fig").string()}};
    for (const std::vector<std::string>& c : cases) {
        std::vector<std::string> argv = {NORMVIZ_BINARY, "--no-settings", "--no-vsync", "--frames", "2"};
        argv.insert(argv.end(), c.begin(), c.end());
        const CommandResult r = run_command(argv, env(), kStartTimeout);
        EXPECT_EQ(r.exit_code, 1) << c[1] << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c[1] << ": " << r.err;
        EXPECT_EQ(r.err.rfind("normviz: " + c[1], 0), 0u) << r.err;
    }
    EXPECT_TRUE(fs::is_fifo(fifo));
    EXPECT_TRUE(fs::is_empty(folder));
    EXPECT_TRUE(fs::is_symlink(link));
    std::ifstream victim(tmp_ / "victim");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(victim), {}), "precious");
    EXPECT_FALSE(fs::exists(tmp_ / "fig.png"));
    EXPECT_FALSE(fs::exists(tmp_ / "fig.svg"));
}

// In the cube view File > Export's PNG shows the cubes (it used to draw the grid whatever the
// window showed): the picture differs from the grid's, and the focus's groups are still
// highlighted. The SVG, which draws the grid, is refused there in one line on stderr (exit 1)
// instead of silently writing the grid; the PNG and the CSV are still written.
TEST_F(ClassroomGui, ExportInTheCubeViewDrawsTheCubes) {
    Image images[2];
    const char* views[2] = {"grid", "cube"};
    for (int i = 0; i < 2; ++i) {
        const std::string base = (tmp_ / views[i]).string();
        CommandResult r = run_command({NORMVIZ_BINARY, "--no-settings", "--no-vsync", "--frames", "3", "--view",
                                       views[i], "--export", base, "--export-size", "960x540"},
                                      env(), kStartTimeout);
        if (i == 0) {
            ASSERT_EQ(r.exit_code, 0) << "stderr:\n" << r.err;
            EXPECT_TRUE(fs::exists(base + ".svg"));
        } else {
            EXPECT_EQ(r.exit_code, 1) << "stderr:\n" << r.err;
            EXPECT_NE(r.err.find("SVG export draws the grid view, not the cubes shown"), std::string::npos) << r.err;
            EXPECT_FALSE(fs::exists(base + ".svg")) << "the cube view's SVG must not be the grid";
        }
        EXPECT_TRUE(fs::exists(base + ".csv"));
        std::string error;
        ASSERT_TRUE(images[i].load(base + ".png", error)) << error;
        ASSERT_EQ(images[i].width, 960);
    }
    int64_t differ = 0, highlighted = 0;
    for (int y = 0; y < 540; ++y)
        for (int x = 0; x < 960; ++x) {
            const unsigned char *g = images[0].at(x, y), *c = images[1].at(x, y);
            differ += std::abs(g[0] - c[0]) + std::abs(g[1] - c[1]) + std::abs(g[2] - c[2]) > 60;
            highlighted += std::abs(c[0] - 255) < 30 && std::abs(c[1] - 196) < 30 && c[2] < 40;
        }
    EXPECT_GT(differ, 960 * 540 / 5) << "the cube export looks like the grid export";
    EXPECT_GT(highlighted, 300);
}

}  // namespace
}  // namespace normviz::e2e
