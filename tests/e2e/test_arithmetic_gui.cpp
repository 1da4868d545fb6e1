// The arithmetic window driven with real X input: F6 opens it, '.' steps through its stages,
// a click moves the focus, and every stage's number equals a sum written out here over the
// .npy the program was given.
#include <gtest/gtest.h>

#include <cmath>

#include "core/npy.h"
#include "core/tensor.h"
#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

class ArithmeticGui : public GuiFixture {
protected:
    ArithmeticGui() : GuiFixture({.binary = NORMVIZ_BINARY, .tmp_root = NORMVIZ_E2E_TMP_DIR}) {}
};

// BatchNorm's numbers for the focus's channel, summed here.
struct Expected {
    int64_t count = 0;
    double sum = 0, mean = 0, var = 0, x_hat = 0;
};
Expected batchnorm_by_hand(const core::Tensor& t, const core::Index& focus) {
    Expected e;
    for (int64_t n = 0; n < t.shape.N; ++n)
        for (int64_t h = 0; h < t.shape.H; ++h)
            for (int64_t w = 0; w < t.shape.W; ++w) e.sum += t.at({n, focus.c, h, w}), ++e.count;
    e.mean = e.sum / double(e.count);
    double sq = 0;
    for (int64_t n = 0; n < t.shape.N; ++n)
        for (int64_t h = 0; h < t.shape.H; ++h)
            for (int64_t w = 0; w < t.shape.W; ++w) sq += std::pow(t.at({n, focus.c, h, w}) - e.mean, 2);
    e.var = sq / double(e.count);
    e.x_hat = (t.at(focus) - e.mean) / std::sqrt(e.var + 1e-5);
    return e;
}

void expect_matches(const std::map<std::string, std::string>& r, const Expected& e) {
    EXPECT_EQ(number(r, "count"), double(e.count));
    EXPECT_NEAR(number(r, "sum"), e.sum, 1e-9 * std::max(1.0, std::fabs(e.sum)));
    EXPECT_NEAR(number(r, "mean"), e.mean, 1e-12);
    EXPECT_NEAR(number(r, "var"), e.var, 1e-12);
    EXPECT_NEAR(number(r, "x_hat"), e.x_hat, 1e-9);
}

TEST_F(ArithmeticGui, F6OpensItDotStepsAndAClickMovesItsGroup) {
    const core::Shape shape{3, 4, 3, 3};
    core::Tensor t = core::make_tensor(shape);
    for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<float>((i * 37) % 23) * 0.25f - 2.0f;
    const std::string npy = (tmp_ / "acts.npy").string();
    ASSERT_TRUE(core::write_npy(npy, t));
    ASSERT_NO_FATAL_FAILURE(launch({npy, "--norm", "batch", "--focus", "1,2,1,1"}));
    auto first = wait_block([](const StatusBlock& b) { return !b.panels.empty() && b.panels[0].count("canvas"); },
                            kStartTimeout);
    ASSERT_TRUE(first) << diagnostics();
    const std::string window = focus_window();
    ASSERT_FALSE(window.empty());

    xdo_ok({"key", "--delay", "150", "F6"});
    auto opened = wait_block([](const StatusBlock& b) { return b.record("arithmetic") != nullptr; });
    ASSERT_TRUE(opened) << "F6 did not open the arithmetic window\n" << diagnostics();
    EXPECT_EQ(opened->record("arithmetic")->at("stage"), "0");
    expect_matches(*opened->record("arithmetic"), batchnorm_by_hand(t, {1, 2, 1, 1}));

    for (int k = 1; k < 8; ++k) {
        xdo_ok({"key", "--delay", "120", "period"});
        const std::string want = std::to_string(k);
        auto stepped = wait_block([&](const StatusBlock& b) {
            return b.record("arithmetic") && b.record("arithmetic")->at("stage") == want;
        });
        ASSERT_TRUE(stepped) << "'.' did not reach stage " << want << "\n" << diagnostics();
    }
    xdo_ok({"key", "--delay", "120", "period"});  // the last stage stays
    xdo_ok({"key", "--delay", "120", "comma"});
    auto back = wait_block(
        [](const StatusBlock& b) { return b.record("arithmetic") && b.record("arithmetic")->at("stage") == "6"; });
    ASSERT_TRUE(back) << "',' did not step back\n" << diagnostics();

    // A click on a cell of channel 0 makes it the focus: the window works out channel 0.
    const core::Index cell{2, 0, 0, 2};
    ASSERT_NO_FATAL_FAILURE(click_cell(window, *first, 0, shape, cell));
    auto moved =
        wait_block([&](const StatusBlock& b) { return b.record("arithmetic") && b.focus() == index_text(cell); });
    ASSERT_TRUE(moved) << diagnostics();
    expect_matches(*moved->record("arithmetic"), batchnorm_by_hand(t, cell));

    ASSERT_NO_FATAL_FAILURE(keep_screenshot("arithmetic.png"));
}

}  // namespace
}  // namespace normviz::e2e
