// group_histograms against the plain definition: every value of the group found through
// Tensor::at, binned one by one.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/generators.h"
#include "core/group_histogram.h"
#include "core/scenarios.h"

namespace normviz::core {
namespace {

// The histograms by their definition: the group's x and y = float(gamma * x_hat + beta),
// finite ones only, over [min, max] widened around a point.
GroupHistograms reference(const Tensor& t, const NormSpec& spec, const Partition& p, const GroupStats& g,
                          const Affine& affine, const Index& focus, int bins) {
    std::vector<double> xs, ys;
    const Shape& s = t.shape;
    for (int64_t n = 0; n < s.N; ++n)
        for (int64_t c = 0; c < s.C; ++c)
            for (int64_t h = 0; h < s.H; ++h)
                for (int64_t w = 0; w < s.W; ++w) {
                    if (!p.same_group({n, c, h, w}, focus)) continue;
                    const float x = t.at({n, c, h, w});
                    const double gamma = affine.gamma.empty() ? 1.0 : affine.gamma[c];
                    const double beta = affine.beta.empty() ? 0.0 : affine.beta[c];
                    const float y =
                        static_cast<float>(gamma * normalize_value(x, g, is_centered(spec), spec.eps) + beta);
                    if (std::isfinite(x)) xs.push_back(x);
                    if (std::isfinite(x) && std::isfinite(y)) ys.push_back(y);
                }
    auto make = [&](const std::vector<double>& v) {
        Histogram h;
        if (v.empty()) return h;
        double lo = v[0], hi = v[0];
        for (double x : v) lo = std::min(lo, x), hi = std::max(hi, x);
        if (lo == hi) lo -= 0.5, hi += 0.5;
        h.lo = static_cast<float>(lo);
        h.hi = static_cast<float>(hi);
        h.counts.assign(static_cast<size_t>(bins), 0.0f);
        for (double x : v) h.counts[std::min<size_t>(static_cast<size_t>((x - lo) / (hi - lo) * bins), bins - 1)] += 1;
        return h;
    };
    return {make(xs), make(ys)};
}

// Counts may differ by a value moved across a bin edge by rounding; totals and ranges not.
void expect_close(const Histogram& got, const Histogram& want, const char* what) {
    ASSERT_EQ(got.counts.size(), want.counts.size()) << what;
    EXPECT_FLOAT_EQ(got.lo, want.lo) << what;
    EXPECT_FLOAT_EQ(got.hi, want.hi) << what;
    float moved = 0, total_got = 0, total_want = 0;
    for (size_t i = 0; i < got.counts.size(); ++i) {
        moved += std::fabs(got.counts[i] - want.counts[i]);
        total_got += got.counts[i];
        total_want += want.counts[i];
    }
    EXPECT_EQ(total_got, total_want) << what;
    EXPECT_LE(moved, 2.0f) << what;  // at most one value in a neighbouring bin
}

void check_group(const Tensor& t, const NormSpec& spec, const Partition& p, const Affine& affine, const Index& focus) {
    const std::vector<GroupStats> stats = compute_group_stats(t, p);
    const GroupStats& g = stats[p.group_of(focus)];
    const GroupHistograms got = group_histograms(t.data.data(), spec, p, g, affine, p.key_of(focus), 24);
    const GroupHistograms want = reference(t, spec, p, g, affine, focus, 24);
    SCOPED_TRACE(norm_name(spec.kind));
    expect_close(got.inputs, want.inputs, "inputs");
    expect_close(got.outputs, want.outputs, "outputs");
}

TEST(GroupHistograms, EveryNormMatchesTheDefinition) {
    const Shape shape{3, 6, 5, 7};
    const Tensor t = generate(shape, Generator::PerChannel, 3);
    Affine affine;
    for (int64_t c = 0; c < shape.C; ++c) {
        affine.gamma.push_back(c % 2 ? -1.5f : 0.75f);  // negative gamma reverses the order
        affine.beta.push_back(0.25f * static_cast<float>(c));
    }
    for (NormKind kind : kAllNormKinds) {
        NormSpec spec;
        spec.kind = kind;
        spec.groups = 3;
        spec.custom_axes = axis_bit(Axis::N) | axis_bit(Axis::H);  // H reduced, W kept: runs of one
        const Partition p = make_partition(spec, shape);
        for (const Index& focus : {Index{0, 0, 0, 0}, Index{2, 5, 4, 6}, Index{1, 3, 2, 1}}) {
            check_group(t, spec, p, {}, focus);
            check_group(t, spec, p, affine, focus);
        }
    }
}

TEST(GroupHistograms, DevicePartitionsMatchTheDefinition) {
    const Tensor t = generate({4, 3, 2, 5}, Generator::PerChannel, 5);
    NormSpec spec;
    spec.kind = NormKind::Batch;
    check_group(t, spec, make_device_partition(t.shape, 2), {}, {3, 1, 1, 4});
}

// A NaN in a group: its inputs still count the finite values, its outputs are all NaN.
TEST(GroupHistograms, NonFiniteValuesAreLeftOut) {
    Tensor t = generate({2, 3, 4, 4}, Generator::PerChannel, 7);
    t.at({1, 1, 2, 3}) = std::numeric_limits<float>::quiet_NaN();
    NormSpec spec;
    spec.kind = NormKind::Batch;
    const Partition p = make_partition(spec, t.shape);
    const std::vector<GroupStats> stats = compute_group_stats(t, p);
    const GroupHistograms h = group_histograms(t.data.data(), spec, p, stats[1], {}, {0, 1, 0, 0}, 24);
    float total = 0;
    for (float c : h.inputs.counts) total += c;
    EXPECT_EQ(total, 2 * 4 * 4 - 1);
    EXPECT_TRUE(h.outputs.counts.empty());
    check_group(t, spec, p, {}, {0, 0, 0, 0});  // other groups are ordinary
}

// A constant group: its range is widened around the value, and every value in one bin.
TEST(GroupHistograms, ConstantGroupWidensTheRange) {
    Tensor t = make_tensor({1, 2, 3, 3});
    for (float& x : t.data) x = 2.0f;
    NormSpec spec;
    spec.kind = NormKind::Instance;
    const Partition p = make_partition(spec, t.shape);
    const std::vector<GroupStats> stats = compute_group_stats(t, p);
    const GroupHistograms h = group_histograms(t.data.data(), spec, p, stats[0], {}, {0, 0, 0, 0}, 4);
    EXPECT_FLOAT_EQ(h.inputs.lo, 1.5f);
    EXPECT_FLOAT_EQ(h.inputs.hi, 2.5f);
    EXPECT_EQ(h.inputs.counts, (std::vector<float>{0, 0, 9, 0}));
    EXPECT_FLOAT_EQ(h.outputs.lo, -0.5f);  // every x_hat is 0
    EXPECT_EQ(h.outputs.counts, (std::vector<float>{0, 0, 9, 0}));
}

// Values near the float limits: their differences overflow in float, and bins stay right.
TEST(GroupHistograms, ValuesNearTheFloatLimitsKeepTheirBins) {
    Tensor t = make_tensor({1, 1, 2, 4});
    t.data = {-3e38f, -1e38f, 0.0f, 1e38f, 2e38f, 3e38f, 1.0f, -2e38f};
    NormSpec spec;
    spec.kind = NormKind::Layer;
    check_group(t, spec, make_partition(spec, t.shape), {}, {0, 0, 0, 0});
}

TEST(GroupHistograms, CancelledEarly) {
    const Tensor t = generate({1, 1, 512, 512}, Generator::PerChannel, 1);
    NormSpec spec;
    spec.kind = NormKind::Layer;
    const Partition p = make_partition(spec, t.shape);
    const std::vector<GroupStats> stats = compute_group_stats(t, p);
    const std::atomic<bool> cancel{true};
    const GroupHistograms h = group_histograms(t.data.data(), spec, p, stats[0], {}, {0, 0, 0, 0}, 24, &cancel);
    EXPECT_TRUE(h.inputs.counts.empty());
}

}  // namespace
}  // namespace normviz::core
