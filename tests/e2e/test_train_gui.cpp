// The Train panel driven end to end with real X input: F8 opens it, a run is started with
// fewer training images typed into its field, its curve grows epoch by epoch, Stop ends it
// early, and "Show its activations" puts the trained network's block-1 norm input (a batch
// of 32 held-out images, 8 channels, 16 x 16) into the grid with BatchNorm's running
// statistics for eval mode. The sweep: a bad CSV path gives a one-line message, the committed
// sweep (assets/sweeps/default_sweep.csv) loads into a figure of 6 lines and 30 points, and an
// in-window sweep with few images is started, reports its runs and is stopped.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

class TrainGui : public GuiFixture {
protected:
    TrainGui() : GuiFixture({.binary = NORMVIZ_BINARY, .tmp_root = NORMVIZ_E2E_TMP_DIR}) {}

    // Starts the program comparing BatchNorm and GroupNorm, focuses its window and presses F8
    // (the Train panel); returns the window's id.
    std::string launch_and_press_f8() {
        launch({"--norm", "batch,group"});
        EXPECT_TRUE(wait_block([](const StatusBlock& b) { return b.panels.size() == 2; }, kStartTimeout))
            << diagnostics();
        const std::string window = focus_window();
        EXPECT_FALSE(window.empty());
        xdo_ok({"key", "--delay", "150", "F8"});
        return window;
    }
};

const std::map<std::string, std::string>* train_record(const StatusBlock& b) {
    auto it = b.records.find("train");
    return it == b.records.end() ? nullptr : &it->second;
}

TEST_F(TrainGui, RunWatchStopAndShowTheTrainedActivations) {
    const std::string window = launch_and_press_f8();
    ASSERT_FALSE(HasFailure());
    auto opened =
        wait_block([](const StatusBlock& b) { return train_record(b) && number(*train_record(b), "run") > 0; });
    ASSERT_TRUE(opened) << "F8 did not open the Train panel\n" << diagnostics();
    EXPECT_EQ(number(*train_record(*opened), "runs"), 0.0);

    // 400 training images: about a second an epoch, so the test sees several epochs.
    const auto images = parse_numbers(train_record(*opened)->at("images"));
    xdo_ok({"mousemove", "--window", window, std::to_string(int(images.at(0))), std::to_string(int(images.at(1))),
            "click", "--repeat", "2", "1"});
    xdo_ok({"key", "--delay", "100", "ctrl+a"});
    xdo_ok({"type", "--delay", "80", "400"});
    xdo_ok({"key", "--delay", "100", "Return"});
    const auto run = parse_numbers(train_record(*opened)->at("run"));
    xdo_ok({"mousemove", "--window", window, std::to_string(int(run.at(0))), std::to_string(int(run.at(1))), "click",
            "1"});
    auto growing = wait_block(
        [](const StatusBlock& b) {
            return train_record(b) && number(*train_record(b), "busy") == 1 && number(*train_record(b), "epochs") >= 2;
        },
        kStartTimeout * 4);
    ASSERT_TRUE(growing) << "no run reported two epochs\n" << diagnostics();
    EXPECT_EQ(number(*train_record(*growing), "runs"), 1.0);
    const double error = number(*train_record(*growing), "val_error");
    EXPECT_GE(error, 0.0);
    EXPECT_LE(error, 1.0);
    ASSERT_NO_FATAL_FAILURE(keep_screenshot("train_running.png"));

    const auto stop = parse_numbers(train_record(*growing)->at("stop"));
    ASSERT_GT(stop.at(0), 0) << "no Stop button while training";
    xdo_ok({"mousemove", "--window", window, std::to_string(int(stop.at(0))), std::to_string(int(stop.at(1))), "click",
            "1"});
    auto stopped = wait_block(
        [](const StatusBlock& b) {
            return train_record(b) && number(*train_record(b), "finished") == 1 &&
                   number(*train_record(b), "busy") == 0;
        },
        kStartTimeout * 2);
    ASSERT_TRUE(stopped) << "Stop did not end the run\n" << diagnostics();
    EXPECT_LT(number(*train_record(*stopped), "epochs"), 5.0) << "the run went on to its last epoch";

    const auto show = parse_numbers(train_record(*stopped)->at("show"));
    xdo_ok({"mousemove", "--window", window, std::to_string(int(show.at(0))), std::to_string(int(show.at(1))), "click",
            "1"});
    auto shown = wait_block(
        [](const StatusBlock& b) { return b.status.count("shape") && b.status.at("shape") == "32,8,16,16"; });
    ASSERT_TRUE(shown) << "the trained activations did not reach the grid\n" << diagnostics();
    EXPECT_EQ(shown->panels.size(), 2u);
    EXPECT_EQ(number(shown->panels[0], "count"), 32.0 * 16 * 16) << "BatchNorm pools N, H, W of the batch";
    park_pointer();
    ASSERT_NO_FATAL_FAILURE(keep_screenshot("train_activations.png"));
}

const std::map<std::string, std::string>* sweep_record(const StatusBlock& b) {
    auto it = b.records.find("sweep");
    return it == b.records.end() ? nullptr : &it->second;
}

class SweepGui : public TrainGui {
protected:
    // Clicks the centre `key` of a status record names.
    void click_at(const std::string& window, const std::map<std::string, std::string>& record, const char* key) {
        const auto at = parse_numbers(record.at(key));
        ASSERT_GT(at.at(0), 0) << key << " is not on screen";
        xdo_ok({"mousemove", "--window", window, std::to_string(int(at.at(0))), std::to_string(int(at.at(1))), "click",
                "1"});
    }
    // Types `path` into the sweep's path field and presses Enter (which loads it).
    void load_path(const std::string& window, const std::map<std::string, std::string>& sweep,
                   const std::string& path) {
        click_at(window, sweep, "path");
        xdo_ok({"key", "--delay", "100", "ctrl+a"});
        xdo_ok({"type", "--delay", "20", path});
        xdo_ok({"key", "--delay", "100", "Return"});
    }
};

TEST_F(SweepGui, LoadTheSavedSweepThenRunAndStopAShortOne) {
    const std::string window = launch_and_press_f8();
    ASSERT_FALSE(HasFailure());
    auto opened =
        wait_block([](const StatusBlock& b) { return sweep_record(b) && number(*sweep_record(b), "load") > 0; });
    ASSERT_TRUE(opened) << "F8 did not show the sweep's controls\n" << diagnostics();
    EXPECT_EQ(number(*sweep_record(*opened), "rows"), 0.0);

    ASSERT_NO_FATAL_FAILURE(load_path(window, *sweep_record(*opened), "/nonexistent/sweep.csv"));
    // The message line moves the field down; wait for a frame drawn with it in place.
    const double field_y = parse_numbers(sweep_record(*opened)->at("path")).at(1);
    auto refused = wait_block([field_y](const StatusBlock& b) {
        return sweep_record(b) && number(*sweep_record(b), "error") == 1 &&
               parse_numbers(sweep_record(b)->at("path")).at(1) > field_y;
    });
    ASSERT_TRUE(refused) << "a missing CSV gave no message\n" << diagnostics();
    EXPECT_EQ(number(*sweep_record(*refused), "rows"), 0.0);

    const std::string saved = std::string(NORMVIZ_SOURCE_DIR) + "/assets/sweeps/default_sweep.csv";
    ASSERT_NO_FATAL_FAILURE(load_path(window, *sweep_record(*refused), saved));
    auto loaded =
        wait_block([](const StatusBlock& b) { return sweep_record(b) && number(*sweep_record(b), "rows") == 30; });
    ASSERT_TRUE(loaded) << "the saved sweep did not load\n" << diagnostics();
    EXPECT_EQ(number(*sweep_record(*loaded), "error"), 0.0);
    EXPECT_EQ(number(*sweep_record(*loaded), "lines"), 6.0) << "one line per norm";
    EXPECT_EQ(number(*sweep_record(*loaded), "points"), 30.0) << "one point per run";
    EXPECT_GT(parse_numbers(sweep_record(*loaded)->at("figure")).at(1), 0) << "the figure is drawn";
    park_pointer();
    ASSERT_NO_FATAL_FAILURE(keep_screenshot("train_sweep_loaded.png"));

    // 64 training images: each run is short; the sweep is stopped after its first runs.
    const auto images = parse_numbers(train_record(*loaded)->at("images"));
    xdo_ok({"mousemove", "--window", window, std::to_string(int(images.at(0))), std::to_string(int(images.at(1))),
            "click", "--repeat", "2", "1"});
    xdo_ok({"key", "--delay", "100", "ctrl+a"});
    xdo_ok({"type", "--delay", "80", "64"});
    xdo_ok({"key", "--delay", "100", "Return"});
    ASSERT_NO_FATAL_FAILURE(click_at(window, *sweep_record(*loaded), "button"));
    auto running = wait_block(
        [](const StatusBlock& b) {
            return sweep_record(b) && number(*sweep_record(b), "running") == 1 && number(*sweep_record(b), "done") >= 1;
        },
        kStartTimeout * 4);
    ASSERT_TRUE(running) << "the sweep did not report a finished run\n" << diagnostics();
    EXPECT_EQ(number(*sweep_record(*running), "total"), 30.0);
    EXPECT_EQ(number(*train_record(*running), "training_images"), 64.0);
    ASSERT_NO_FATAL_FAILURE(keep_screenshot("train_sweep_running.png"));
    ASSERT_NO_FATAL_FAILURE(click_at(window, *train_record(*running), "stop"));
    auto stopped = wait_block(
        [](const StatusBlock& b) {
            return sweep_record(b) && number(*sweep_record(b), "running") == 0 && number(*train_record(b), "busy") == 0;
        },
        kStartTimeout * 2);
    ASSERT_TRUE(stopped) << "Stop did not end the sweep\n" << diagnostics();
    EXPECT_LT(number(*sweep_record(*stopped), "done"), 30.0) << "the sweep went on to its last run";
    EXPECT_EQ(number(*sweep_record(*stopped), "rows"), number(*sweep_record(*stopped), "done"));
}

// normviz render --train-sweep draws the saved sweep's figure off screen: a PNG of the size
// asked for, with each norm's line in its colour (app/ui/plot.cpp's series_color: the first
// two, none and BatchNorm, are Okabe-Ito orange and sky blue).
TEST_F(SweepGui, RenderDrawsTheSavedSweepIntoAPng) {
    const std::string saved = std::string(NORMVIZ_SOURCE_DIR) + "/assets/sweeps/default_sweep.csv";
    const std::string out = (tmp_ / "sweep.png").string();
    const CommandResult r = run_command(
        {NORMVIZ_BINARY, "render", "--train-sweep", saved, "--size", "1200x800", "--out", out}, env(), kStartTimeout);
    ASSERT_EQ(r.exit_code, 0) << "stderr:\n" << r.err;
    Image image;
    std::string error;
    ASSERT_TRUE(image.load(out, error)) << error;
    EXPECT_EQ(image.width, 1200);
    EXPECT_EQ(image.height, 800);
    auto count = [&](int r0, int g0, int b0) {
        int n = 0;
        for (int y = 0; y < image.height; ++y)
            for (int x = 0; x < image.width; ++x) {
                const unsigned char* p = image.at(x, y);
                n += std::abs(p[0] - r0) < 12 && std::abs(p[1] - g0) < 12 && std::abs(p[2] - b0) < 12;
            }
        return n;
    };
    EXPECT_GT(count(230, 159, 0), 200) << "no line of the network without a norm";
    EXPECT_GT(count(86, 180, 233), 200) << "no BatchNorm line";
    if (const char* keep = std::getenv("NORMVIZ_E2E_KEEP_SHOTS"))
        std::filesystem::copy_file(out, std::filesystem::path(keep) / "train_sweep_render.png",
                                   std::filesystem::copy_options::overwrite_existing);
}

}  // namespace
}  // namespace normviz::e2e
