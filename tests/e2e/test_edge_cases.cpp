// Numerical edge cases in the real program (issue 7): .npy files with NaN, Inf, constant
// values, values near the float limits and extreme shapes, with eps = 0 too. Each run draws a
// few frames under Xvfb and must exit cleanly, log no GL error, report finite colour scales,
// mark every degenerate focus group as explained (the statistics panel shows a sentence from
// core::explain_group), and never draw a finite value with the NaN/Inf hatching.
// docs/edge_cases.md records what the user sees in each case.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "app/render/tensor_renderer.h"
#include "app/view/grid_layout.h"
#include "core/generators.h"
#include "core/npy.h"
#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

bool explained(const std::map<std::string, std::string>& panel) {
    auto it = panel.find("explained");
    return it != panel.end() && it->second == "1";
}

// The NaN/Inf hatching of tensor_view.frag: magenta (0.85, 0, 0.85), possibly dimmed towards
// the background or darkened at a grid line. Neither palette has such a colour.
bool hatch_pixel(const unsigned char* px) {
    const int r = px[0], g = px[1], b = px[2];
    return r > 60 && b > 60 && std::abs(r - b) < 20 && g * 3 < std::min(r, b);
}

// Counts hatched pixels inside canvas `panel` of `block`.
int64_t hatched_pixels(const Image& image, const StatusBlock& block, size_t panel) {
    const auto c = parse_numbers(block.panels.at(panel).at("canvas"));
    int64_t count = 0;
    for (int y = std::max(0, int(c.at(1))); y < std::min(image.height, int(c[1] + c[3])); ++y)
        for (int x = std::max(0, int(c.at(0))); x < std::min(image.width, int(c[0] + c[2])); ++x)
            count += hatch_pixel(image.at(x, y));
    return count;
}

struct ProgramRun {
    CommandResult result;
    std::vector<StatusBlock> blocks;
    Image image;
    const StatusBlock& last() const { return blocks.back(); }
};

// Runs of the program with --frames: Xvfb without xdotool.
class EdgeCases : public GuiFixture {
protected:
    EdgeCases() : GuiFixture({.binary = NORMVIZ_BINARY, .tmp_root = NORMVIZ_E2E_TMP_DIR, .needs_xdotool = false}) {}

    // Writes `tensor` as NAME.npy, runs the program on it for a few frames with `extra`
    // options, and checks what every run must satisfy.
    ProgramRun run(const std::string& name, const core::Tensor& tensor, std::vector<std::string> extra = {}) {
        ProgramRun out;
        const std::string npy = (tmp_ / (name + ".npy")).string(), png = (tmp_ / (name + ".png")).string();
        EXPECT_TRUE(core::write_npy(npy, tensor));
        extra.insert(extra.begin(), npy);
        out.result = run_frames(8, png, extra, Seconds(120));
        EXPECT_EQ(out.result.exit_code, 0) << name << " stderr:\n" << out.result.err;
        EXPECT_EQ(out.result.err.find("GL error"), std::string::npos) << out.result.err;
        out.blocks = parse_status_text(out.result.out);
        EXPECT_FALSE(out.blocks.empty()) << name << ": no status block\n" << out.result.out;
        if (out.blocks.empty()) out.blocks.emplace_back();
        const StatusBlock& b = out.last();
        const auto& ui = b.records.count("ui") ? b.records.at("ui") : std::map<std::string, std::string>{};
        EXPECT_TRUE(std::isfinite(number(ui, "value_center"))) << name << ": colour scale centre is not finite";
        EXPECT_TRUE(std::isfinite(number(ui, "value_half_range")) && number(ui, "value_half_range") > 0)
            << name << ": colour scale half range is not a positive number";
        std::string error;
        EXPECT_TRUE(out.image.load(png, error)) << error;
        return out;
    }
};

core::Tensor filled(core::Shape shape, float value) {
    core::Tensor t = core::generate(shape, core::Generator::Normal, 1);
    std::fill(t.data.begin(), t.data.end(), value);
    return t;
}

TEST_F(EdgeCases, NanInTheFocusGroupIsExplainedEverywhere) {
    core::Tensor t = core::generate({2, 4, 3, 3}, core::Generator::PerChannel, 3);
    t.data[core::flat_index(t.shape, {1, 2, 1, 1})] = std::nanf("");
    ProgramRun r = run("nan", t, {"--focus", "1,2,1,1"});
    ASSERT_EQ(r.last().panels.size(), 6u);
    for (const auto& p : r.last().panels) {
        SCOPED_TRACE("panel " + p.at("norm"));
        EXPECT_TRUE(std::isnan(number(p, "x")));
        EXPECT_TRUE(std::isnan(number(p, "mean")));
        EXPECT_TRUE(std::isnan(number(p, "xhat")));
        EXPECT_TRUE(explained(p)) << "NaN statistics without a sentence";
    }
}

TEST_F(EdgeCases, NanElsewhereLeavesOtherGroupsAlone) {
    core::Tensor t = core::generate({2, 4, 3, 3}, core::Generator::PerChannel, 3);
    t.data[0] = std::nanf("");  // (0, 0, 0, 0): no group of (1, 3, 2, 2) under any preset
    ProgramRun r = run("nan_elsewhere", t, {"--focus", "1,3,2,2"});
    for (const auto& p : r.last().panels) {
        SCOPED_TRACE("panel " + p.at("norm"));
        EXPECT_TRUE(std::isfinite(number(p, "mean")) && std::isfinite(number(p, "var")) &&
                    std::isfinite(number(p, "xhat")));
        EXPECT_FALSE(explained(p));
    }
}

TEST_F(EdgeCases, InfinityIsExplained) {
    core::Tensor t = core::generate({2, 4, 3, 3}, core::Generator::PerChannel, 3);
    t.data[core::flat_index(t.shape, {0, 1, 2, 0})] = INFINITY;
    t.data[core::flat_index(t.shape, {1, 3, 0, 0})] = -INFINITY;
    ProgramRun r = run("inf", t, {"--focus", "0,1,2,0", "--normalized"});
    for (const auto& p : r.last().panels) {
        SCOPED_TRACE("panel " + p.at("norm"));
        EXPECT_TRUE(std::isinf(number(p, "x")));
        EXPECT_TRUE(std::isnan(number(p, "xhat")));
        EXPECT_TRUE(explained(p));
    }
}

TEST_F(EdgeCases, ConstantData) {
    ProgramRun r = run("constant", filled({2, 3, 4, 4}, 2.5f), {"--normalized"});
    EXPECT_EQ(number(r.last().records.at("ui"), "value_center"), 2.5);
    for (const auto& p : r.last().panels) {
        SCOPED_TRACE("panel " + p.at("norm"));
        EXPECT_EQ(number(p, "mean"), 2.5);
        if (p.at("norm") == "rms") {
            EXPECT_NEAR(number(p, "xhat"), 1.0, 1e-5);  // 2.5 / sqrt(6.25 + eps)
        } else {
            EXPECT_EQ(number(p, "var"), 0.0);
            EXPECT_EQ(number(p, "xhat"), 0.0);
            EXPECT_TRUE(explained(p)) << "zero variance without a sentence";
        }
    }
    EXPECT_EQ(hatched_pixels(r.image, r.last(), 0), 0) << "constant data is finite: no hatching";
}

TEST_F(EdgeCases, ConstantDataWithEpsZeroIsNanWithAReason) {
    ProgramRun r = run("constant_eps0", filled({2, 3, 4, 4}, 2.5f), {"--eps", "0", "--normalized"});
    for (const auto& p : r.last().panels) {
        SCOPED_TRACE("panel " + p.at("norm"));
        if (p.at("norm") == "rms") {
            EXPECT_EQ(number(p, "xhat"), 1.0);
            continue;
        }
        EXPECT_TRUE(std::isnan(number(p, "xhat")));
        EXPECT_TRUE(explained(p)) << "0/0 without a sentence";
    }
}

TEST_F(EdgeCases, SingleValueTensor) {
    ProgramRun r = run("one", filled({1, 1, 1, 1}, -0.75f));
    EXPECT_EQ(r.last().status.at("shape"), "1,1,1,1");
    for (const auto& p : r.last().panels) {
        SCOPED_TRACE("panel " + p.at("norm"));
        if (!p.count("mean")) continue;  // a norm that does not apply shows its error instead
        EXPECT_TRUE(explained(p));
    }
    ProgramRun e = run("one_eps0", filled({1, 1, 1, 1}, -0.75f), {"--eps", "0"});
    for (const auto& p : e.last().panels) {
        SCOPED_TRACE("eps 0, panel " + p.at("norm"));
        if (!p.count("mean")) continue;
        EXPECT_TRUE(explained(p));
        if (p.at("norm") != "rms") {
            EXPECT_TRUE(std::isnan(number(p, "xhat")));
        }
    }
}

TEST_F(EdgeCases, TinyAndLongShapes) {
    ProgramRun two = run("two", core::generate({1, 1, 1, 2}, core::Generator::Normal, 4));
    EXPECT_EQ(two.last().status.at("shape"), "1,1,1,2");
    ProgramRun wide = run("wide", core::generate({64, 512, 1, 1}, core::Generator::Normal, 4));
    EXPECT_EQ(wide.last().status.at("shape"), "64,512,1,1");
    for (const auto& p : wide.last().panels) EXPECT_TRUE(std::isfinite(number(p, "mean"))) << p.at("norm");
}

TEST_F(EdgeCases, LargeImage) {
    ProgramRun r =
        run("big", core::generate({1, 1, 4096, 4096}, core::Generator::Smooth, 4), {"--norm", "layer,instance"});
    EXPECT_EQ(r.last().status.at("shape"), "1,1,4096,4096");
    for (const auto& p : r.last().panels) {
        EXPECT_EQ(number(p, "count"), 4096.0 * 4096.0) << p.at("norm");
        EXPECT_TRUE(std::isfinite(number(p, "xhat"))) << p.at("norm");
    }
}

// Values of +-3e38: sums, squares and the colour scale must not overflow. The mean and
// variance are in double; the picture must colour every cell, not hatch it as NaN/Inf.
TEST_F(EdgeCases, ValuesNearTheFloatLimit) {
    core::Tensor t = core::generate({2, 3, 4, 4}, core::Generator::Normal, 5);
    for (float& v : t.data) v = v >= 0 ? 3e38f : -3e38f;
    for (const bool normalized : {false, true}) {
        SCOPED_TRACE(normalized ? "normalized" : "raw");
        ProgramRun r = run(normalized ? "huge_normalized" : "huge", t,
                           normalized ? std::vector<std::string>{"--normalized"} : std::vector<std::string>{});
        for (const auto& p : r.last().panels) {
            SCOPED_TRACE("panel " + p.at("norm"));
            EXPECT_TRUE(std::isfinite(number(p, "mean")));
            EXPECT_TRUE(std::isfinite(number(p, "var")));
            EXPECT_TRUE(std::isfinite(number(p, "xhat")));
            EXPECT_LE(std::abs(number(p, "xhat")), 10.0);
        }
        for (size_t i = 0; i < r.last().panels.size(); ++i)
            EXPECT_EQ(hatched_pixels(r.image, r.last(), i), 0) << "panel " << i << " hatches finite values";
    }
    // All positive and large: the midpoint of the colour scale is (1e38 + 3e38) / 2.
    core::Tensor positive = core::generate({2, 3, 4, 4}, core::Generator::Normal, 6);
    for (float& v : positive.data) v = v >= 0 ? 3.4e38f : 1e38f;
    ProgramRun r = run("huge_positive", positive);
    EXPECT_NEAR(number(r.last().records.at("ui"), "value_center"), 2.2e38, 1e33);
    EXPECT_NEAR(number(r.last().records.at("ui"), "value_half_range"), 1.2e38, 1e33);
    for (size_t i = 0; i < r.last().panels.size(); ++i)
        EXPECT_EQ(hatched_pixels(r.image, r.last(), i), 0) << "panel " << i << " hatches finite values";
}

// Tiny values with eps = 0: 1 / std is about 1e30, still a float; the picture is finite.
TEST_F(EdgeCases, TinyValuesWithEpsZero) {
    core::Tensor t = core::generate({2, 3, 4, 4}, core::Generator::Normal, 7);
    for (float& v : t.data) v *= 1e-30f;
    ProgramRun r = run("tiny_eps0", t, {"--eps", "0", "--normalized"});
    for (const auto& p : r.last().panels) {
        SCOPED_TRACE("panel " + p.at("norm"));
        EXPECT_TRUE(std::isfinite(number(p, "xhat")));
        EXPECT_LE(std::abs(number(p, "xhat")), 10.0);
    }
    for (size_t i = 0; i < r.last().panels.size(); ++i)
        EXPECT_EQ(hatched_pixels(r.image, r.last(), i), 0) << "panel " << i << " hatches finite values";
}

// 16400 x 16400 values need more than 16384 x 16384 texels, Mesa's (llvmpipe's) largest
// texture: the cells cannot be drawn, and the figure must say so rather than show a blank
// grid and exit 0. A GPU with larger textures draws it, and then no GL error may appear.
TEST_F(EdgeCases, RenderOfMoreValuesThanOneTextureHoldsSaysSo) {
    const std::string out = (tmp_ / "big.png").string();
    const CommandResult r = run_command({NORMVIZ_BINARY, "render", "--shape", "1,1,16400,16400", "--norm", "layer",
                                         "--focus", "0,0,0,0", "--out", out},
                                        env(), Seconds{300});  // 1 GiB of values; minutes under a sanitizer
    if (r.exit_code == 0) {
        EXPECT_EQ(r.err, "");
        return;
    }
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err.rfind("normviz: this GPU cannot hold the 268960000 values as one texture (at most ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.find("GL error"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace normviz::e2e
