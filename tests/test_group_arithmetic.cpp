// The stage-by-stage arithmetic of one group (core/group_arithmetic.h) against PyTorch: on the
// torch fixtures (tools/make_fixtures.py) the focus's x̂ equals torch's float64 output at that
// cell, for every cell and every norm, and the stages add up as the formulas say.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/group_arithmetic.h"
#include "core/npy.h"
#include "core/partition.h"
#include "tests/truth_npy.h"

namespace normviz::core {
namespace {

struct Case {
    const char* name;
    NormKind kind;
    int64_t groups;
};

TEST(GroupArithmetic, NormalizedFocusEqualsPyTorchForEveryCell) {
    const Case cases[] = {{"batch_4x6x4x4", NormKind::Batch, 0},
                          {"layer_4x6x4x4", NormKind::Layer, 0},
                          {"instance_4x6x4x4", NormKind::Instance, 0},
                          {"group2_4x6x4x4", NormKind::Group, 2},
                          {"group4_2x8x3x5", NormKind::Group, 4},
                          {"layer_token_4x6x4x4", NormKind::LayerToken, 0},
                          {"rms_4x6x4x4", NormKind::Rms, 0}};
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const std::string base = std::string(NORMVIZ_FIXTURE_DIR) + "/" + c.name;
        auto input = read_npy(base + ".in.npy");
        ASSERT_TRUE(input) << input.error().message;
        test::F64Array truth;
        ASSERT_TRUE(test::read_f64_npy(base + ".truth.npy", truth));
        const Tensor& t = input.value();
        ASSERT_EQ(int64_t(truth.values.size()), t.shape.numel());
        NormSpec spec;
        spec.kind = c.kind;
        if (c.groups) spec.groups = c.groups;
        const Partition p = make_partition(spec, t.shape);
        const bool centered = is_centered(spec);
        for (int64_t i = 0; i < t.shape.numel(); ++i) {
            const Index focus = unflat_index(t.shape, i);
            const GroupArithmetic a = group_arithmetic(t, p, focus, centered, 1e-5);
            ASSERT_EQ(a.count, p.group_size());
            EXPECT_NEAR(a.x_hat, truth.values[i], 1e-9 * std::max(1.0, std::fabs(truth.values[i])))
                << "cell " << to_string(focus);
            EXPECT_EQ(a.x, double(t.data[i]));
            EXPECT_EQ(a.shown[a.focus_position], a.x);
        }
    }
}

TEST(GroupArithmetic, StagesAddUpAsTheFormulasSay) {
    Tensor t = make_tensor({2, 3, 2, 2});
    for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = float(i % 5) - 1.5f;
    NormSpec spec;
    spec.kind = NormKind::Batch;
    const Partition p = make_partition(spec, t.shape);
    const Index focus{1, 2, 0, 1};
    const GroupArithmetic a = group_arithmetic(t, p, focus, true, 1e-5, 2.0, 0.5, 3);
    // BatchNorm's group of channel 2: samples 0 and 1, all four positions, written out.
    double sum = 0, sq = 0;
    for (int64_t n = 0; n < 2; ++n)
        for (int64_t h = 0; h < 2; ++h)
            for (int64_t w = 0; w < 2; ++w) sum += t.at({n, 2, h, w});
    const double mean = sum / 8;
    for (int64_t n = 0; n < 2; ++n)
        for (int64_t h = 0; h < 2; ++h)
            for (int64_t w = 0; w < 2; ++w) sq += (t.at({n, 2, h, w}) - mean) * (t.at({n, 2, h, w}) - mean);
    EXPECT_EQ(a.count, 8);
    EXPECT_EQ(a.shown.size(), 3u);   // the cap
    EXPECT_EQ(a.focus_position, 5);  // (1, 2, 0, 1) is the sixth of the group in memory order
    EXPECT_DOUBLE_EQ(a.sum, sum);
    EXPECT_DOUBLE_EQ(a.mean, mean);
    EXPECT_DOUBLE_EQ(a.sum_sq_dev, sq);
    EXPECT_DOUBLE_EQ(a.var, sq / 8);
    EXPECT_DOUBLE_EQ(a.x_hat, (t.at(focus) - mean) / std::sqrt(sq / 8 + 1e-5));
    EXPECT_DOUBLE_EQ(a.y, 2.0 * a.x_hat + 0.5);
    // Not centred (RMSNorm): no mean subtracted, the variance stage is the mean square.
    const GroupArithmetic r = group_arithmetic(t, p, focus, false, 1e-5);
    EXPECT_EQ(r.mean, 0.0);
    double msq = 0;
    for (int64_t n = 0; n < 2; ++n)
        for (int64_t h = 0; h < 2; ++h)
            for (int64_t w = 0; w < 2; ++w) msq += double(t.at({n, 2, h, w})) * t.at({n, 2, h, w});
    EXPECT_DOUBLE_EQ(r.var, msq / 8);
}

}  // namespace
}  // namespace normviz::core
