// End-to-end tests of the classroom layer in the real normviz program, under its own Xvfb with
// real X input (xdotool): the quiz is answered by clicking cells, revealed with Enter, and its
// score read back from the --status "quiz" record; F12 saves the revealed picture.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/norm_spec.h"
#include "core/partition.h"
#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

namespace fs = std::filesystem;

const std::map<std::string, std::string>* quiz_record(const StatusBlock& b) {
    auto it = b.records.find("quiz");
    return it == b.records.end() ? nullptr : &it->second;
}

class ClassroomGui : public GuiFixture {
protected:
    ClassroomGui() : GuiFixture({.binary = NORMVIZ_BINARY, .tmp_root = NORMVIZ_E2E_TMP_DIR}) {}
};

// The student marks every cell pooled with the asked cell but one, plus one cell that is not
// pooled; Enter reveals: hits = pooled - 1 (the asked cell counts as a hit), one miss, one
// false alarm, score = hits / (pooled + false alarms).
TEST_F(ClassroomGui, QuizClickRevealScore) {
    const core::Shape shape{2, 4, 3, 3};
    ASSERT_NO_FATAL_FAILURE(launch({"--shape", "2,4,3,3", "--quiz"}));
    auto first = reader_->wait_block(
        [](const StatusBlock& b) { return quiz_record(b) && !b.panels.empty() && b.panels[0].count("canvas"); },
        kStartTimeout);
    ASSERT_TRUE(first) << "no status block with a quiz record\n" << diagnostics();
    const auto& q = *quiz_record(*first);
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
            [&](const StatusBlock& b) { return quiz_record(b) && quiz_record(b)->at("guesses") == want; },
            kEventTimeout);
        ASSERT_TRUE(marked) << "the click did not mark the cell\n" << diagnostics();
        EXPECT_EQ(marked->focus(), q.at("focus")) << "a quiz click must not move the focus";
    }

    park_pointer();
    xdo_ok({"key", "--delay", "200", "Return"});
    auto revealed = reader_->wait_block(
        [](const StatusBlock& b) { return quiz_record(b) && quiz_record(b)->at("revealed") == "1"; }, kEventTimeout);
    ASSERT_TRUE(revealed) << "Enter did not reveal the answer\n" << diagnostics();
    const auto& r = *quiz_record(*revealed);
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
    if (const char* keep = std::getenv("NORMVIZ_E2E_KEEP_SHOTS")) {  // for looking at by hand
        std::error_code ec;
        fs::copy_file(shot_path(), fs::path(keep) / "quiz_revealed.png", fs::copy_options::overwrite_existing, ec);
    }
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
    CommandResult big = run_command({NORMVIZ_BINARY, "--no-settings", "--frames", "1", "--export", base,
                                     "--export-size", "7680x4320"},
                                    env(), kStartTimeout);
    EXPECT_EQ(big.exit_code, 2);
    EXPECT_NE(big.err.find("3840x2160"), std::string::npos) << big.err;
}

// In the cube view File > Export's PNG shows the cubes (it used to draw the grid whatever the
// window showed): the picture differs from the grid's, and the focus's groups are still
// highlighted.
TEST_F(ClassroomGui, ExportInTheCubeViewDrawsTheCubes) {
    Image images[2];
    const char* views[2] = {"grid", "cube"};
    for (int i = 0; i < 2; ++i) {
        const std::string base = (tmp_ / views[i]).string();
        CommandResult r = run_command({NORMVIZ_BINARY, "--no-settings", "--no-vsync", "--frames", "3", "--view",
                                       views[i], "--export", base, "--export-size", "960x540"},
                                      env(), kStartTimeout);
        ASSERT_EQ(r.exit_code, 0) << "stderr:\n" << r.err;
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
