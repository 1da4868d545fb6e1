// The Train panel driven end to end with real X input: F8 opens it, a run is started with
// fewer training images typed into its field, its curve grows epoch by epoch, Stop ends it
// early, and "Show its activations" puts the trained network's block-1 norm input (a batch
// of 32 held-out images, 8 channels, 16 x 16) into the grid with BatchNorm's running
// statistics for eval mode.
#include <gtest/gtest.h>

#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

class TrainGui : public GuiFixture {
protected:
    TrainGui() : GuiFixture({.binary = NORMVIZ_BINARY, .tmp_root = NORMVIZ_E2E_TMP_DIR}) {}
};

const std::map<std::string, std::string>* train_record(const StatusBlock& b) {
    auto it = b.records.find("train");
    return it == b.records.end() ? nullptr : &it->second;
}

TEST_F(TrainGui, RunWatchStopAndShowTheTrainedActivations) {
    ASSERT_NO_FATAL_FAILURE(launch({"--norm", "batch,group"}));
    auto first = wait_block([](const StatusBlock& b) { return b.panels.size() == 2; }, kStartTimeout);
    ASSERT_TRUE(first) << diagnostics();
    const std::string window = find_window();
    ASSERT_FALSE(window.empty());
    xdo_ok({"windowfocus", "--sync", window});
    park_pointer();
    xdo_ok({"key", "--delay", "150", "F8"});
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

}  // namespace
}  // namespace normviz::e2e
