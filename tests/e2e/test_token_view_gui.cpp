// The tokens x features window driven with real X input on a transformer's (batch, tokens,
// features) array read as NLC: F7 opens it, the per-token LayerNorm's group is one row (C cells
// outlined), and a click on a cell makes it the focus of every view.
#include <gtest/gtest.h>

#include "core/layout.h"
#include "core/npy.h"
#include "core/tensor.h"
#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

class TokenViewGui : public GuiFixture {
protected:
    TokenViewGui() : GuiFixture({.binary = NORMVIZ_BINARY, .tmp_root = NORMVIZ_E2E_TMP_DIR}) {}
};

TEST_F(TokenViewGui, OneRowPerTokenAndAClickMovesTheFocus) {
    // (batch 2, 5 tokens, 6 features), saved as a transformer stores it.
    core::Tensor t = core::make_tensor({2, 6, 1, 5});
    t.layout = core::Layout::NLC;
    for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<float>((i * 7) % 11) - 5.0f;
    const std::string npy = (tmp_ / "hidden.npy").string();
    ASSERT_TRUE(core::write_npy(npy, t));
    ASSERT_NO_FATAL_FAILURE(launch({npy, "--layout", "NLC", "--norm", "layer-token,batch", "--focus", "0,1,2"}));
    auto first = wait_block([](const StatusBlock& b) { return b.panels.size() == 2 && b.panels[0].count("canvas"); },
                            kStartTimeout);
    ASSERT_TRUE(first) << diagnostics();
    EXPECT_EQ(first->status.at("shape"), "2,6,1,5");
    const std::string window = focus_window();
    ASSERT_FALSE(window.empty());
    xdo_ok({"key", "--delay", "150", "F7"});
    auto opened =
        wait_block([](const StatusBlock& b) { return b.record("tokens") && number(*b.record("tokens"), "rows") > 0; });
    ASSERT_TRUE(opened) << "F7 did not open the tokens window\n" << diagnostics();
    const auto& r = *opened->record("tokens");
    EXPECT_EQ(number(r, "rows"), 10.0);  // 2 samples x 5 tokens
    EXPECT_EQ(number(r, "cols"), 6.0);   // 6 features
    EXPECT_EQ(number(r, "outlined"), 6.0) << "the per-token LayerNorm's group is one row of C features";
    EXPECT_EQ(opened->focus(), "0,2,0,1") << "--focus follows the file's (n, l, c) order";

    // Click feature 4 of token 3 of sample 1: row 1 * 5 + 3, under sample 1's gap.
    const double cell = number(r, "cell"), gap = number(r, "gap");
    const auto origin = parse_numbers(r.at("origin"));
    ASSERT_GE(cell, 6.0);
    const int x = static_cast<int>(origin.at(0) + (4 + 0.5) * cell);
    const int y = static_cast<int>(origin.at(1) + (5 + 3 + 0.5) * cell + gap);
    xdo_ok({"mousemove", "--window", window, std::to_string(x), std::to_string(y), "click", "1"});
    auto moved = wait_block([](const StatusBlock& b) { return b.record("tokens") && b.focus() == "1,4,0,3"; });
    ASSERT_TRUE(moved) << "the click did not move the focus to (1, 4, 0, 3)\n" << diagnostics();
    EXPECT_EQ(number(*moved->record("tokens"), "outlined"), 6.0);
    EXPECT_EQ(number(moved->panels[0], "count"), 6.0) << "the grid's panel pools the same row";
    EXPECT_EQ(number(moved->panels[1], "count"), 10.0) << "BatchNorm: feature 4 of every token of the batch";

    park_pointer();
    ASSERT_NO_FATAL_FAILURE(keep_screenshot("tokens.png"));
}

}  // namespace
}  // namespace normviz::e2e
