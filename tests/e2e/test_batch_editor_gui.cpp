// The batch editor driven with real clicks: replacing another sample with an outlier and then
// removing a sample moves BatchNorm's statistics for the focus, while LayerNorm, InstanceNorm
// and GroupNorm keep theirs bit for bit (they never look outside the focus's sample).
#include <gtest/gtest.h>

#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

class BatchEditorGui : public GuiFixture {
protected:
    BatchEditorGui() : GuiFixture({.binary = NORMVIZ_BINARY, .tmp_root = NORMVIZ_E2E_TMP_DIR}) {}

    // Clicks the batch editor's button `name` (remove, outlier, ...) where the status says it is.
    void click_button(const std::string& window, const StatusBlock& b, const std::string& name) {
        const auto xy = parse_numbers(b.records.at("batch").at(name));
        ASSERT_EQ(xy.size(), 2u);
        ASSERT_GT(xy[0], 0) << name << " is not drawn";
        xdo_ok({"mousemove", "--window", window, std::to_string(int(xy[0])), std::to_string(int(xy[1])), "click", "1"});
    }
};

const std::map<std::string, std::string>& panel(const StatusBlock& b, const std::string& norm) {
    for (const auto& p : b.panels)
        if (p.at("norm") == norm) return p;
    ADD_FAILURE() << "no " << norm << " panel";
    static const std::map<std::string, std::string> none;
    return none;
}

TEST_F(BatchEditorGui, EditingAnotherSampleMovesOnlyBatchNorm) {
    ASSERT_NO_FATAL_FAILURE(launch({"--shape", "4,4,3,3", "--generator", "per-sample", "--seed", "7", "--norm",
                                    "batch,layer,instance,group", "--focus", "0,1,1,1"}));
    auto first = wait_block(
        [](const StatusBlock& b) {
            return b.panels.size() == 4 && b.panels[0].count("canvas") && b.records.count("batch");
        },
        kStartTimeout);
    ASSERT_TRUE(first) << diagnostics();
    EXPECT_EQ(first->records.at("batch").at("edits"), "0");
    EXPECT_EQ(first->records.at("batch").at("sample"), "1") << "the first sample that is not the focus's";
    const std::string window = find_window();
    ASSERT_FALSE(window.empty());
    xdo_ok({"windowfocus", "--sync", window});

    auto check_edit = [&](const StatusBlock& before, const std::string& button, const std::string& edits,
                          StatusBlock& out) {
        SCOPED_TRACE(button);
        ASSERT_NO_FATAL_FAILURE(click_button(window, before, button));
        auto after = wait_block([&](const StatusBlock& b) {
            return b.records.count("batch") && b.records.at("batch").at("edits") == edits && b.panels.size() == 4;
        });
        ASSERT_TRUE(after) << "the " << button << " button did nothing\n" << diagnostics();
        EXPECT_EQ(after->focus(), "0,1,1,1") << "the focus's sample is pinned";
        for (const char* norm : {"layer", "instance", "group"})
            for (const char* key : {"mean", "var", "count", "x"})
                EXPECT_EQ(panel(*after, norm).at(key), panel(before, norm).at(key)) << norm << " " << key;
        EXPECT_NE(panel(*after, "batch").at("mean"), panel(before, "batch").at("mean"));
        park_pointer();
        out = *after;
    };
    StatusBlock outlier;
    ASSERT_NO_FATAL_FAILURE(check_edit(*first, "outlier", "1", outlier));
    EXPECT_EQ(outlier.status.at("shape"), "4,4,3,3");
    StatusBlock removed;
    ASSERT_NO_FATAL_FAILURE(check_edit(outlier, "remove", "2", removed));
    EXPECT_EQ(removed.status.at("shape"), "3,4,3,3");
    EXPECT_EQ(number(panel(removed, "batch"), "count"), 27.0);

    ASSERT_NO_FATAL_FAILURE(keep_screenshot("batch_editor.png"));
}

}  // namespace
}  // namespace normviz::e2e
