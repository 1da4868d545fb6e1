// Partition invariants: every element in exactly one group, sizes multiply out, presets agree.
#include <gtest/gtest.h>

#include <set>

#include "core/partition.h"

using namespace normviz::core;

namespace {
constexpr AxisMask N = axis_bit(Axis::N), C = axis_bit(Axis::C), H = axis_bit(Axis::H), W = axis_bit(Axis::W);

NormSpec preset(NormKind kind, int64_t groups = 1) {
    NormSpec s;
    s.kind = kind;
    s.groups = groups;
    return s;
}
NormSpec custom(AxisMask axes, bool center = true) {
    NormSpec s;
    s.kind = NormKind::Custom;
    s.custom_axes = axes;
    s.custom_center = center;
    return s;
}

// Group number of every element, in NCHW order.
std::vector<int64_t> labels(const Partition& p) {
    std::vector<int64_t> out;
    for (int64_t f = 0; f < p.shape.numel(); ++f) out.push_back(p.group_of_flat(f));
    return out;
}

std::vector<NormSpec> every_spec(const Shape& s) {
    std::vector<NormSpec> specs = {preset(NormKind::Batch), preset(NormKind::Layer), preset(NormKind::Instance),
                                   preset(NormKind::LayerToken), preset(NormKind::Rms)};
    for (int64_t g = 1; g <= s.C; ++g)
        if (s.C % g == 0) specs.push_back(preset(NormKind::Group, g));
    for (AxisMask m = 1; m <= kAllAxes; ++m) specs.push_back(custom(m));
    return specs;
}
}  // namespace

TEST(Partition, EveryElementIsInExactlyOneGroupOfEqualSize) {
    for (Shape s : {Shape{4, 6, 4, 4}, Shape{2, 8, 3, 5}, Shape{1, 1, 1, 7}, Shape{3, 4, 1, 1}}) {
        for (const NormSpec& spec : every_spec(s)) {
            Partition p = make_partition(spec, s);
            std::vector<int64_t> sizes(p.group_count(), 0);
            for (int64_t g : labels(p)) {
                ASSERT_GE(g, 0);
                ASSERT_LT(g, p.group_count());
                ++sizes[g];
            }
            for (int64_t size : sizes) EXPECT_EQ(size, p.group_size()) << to_string(spec);
            EXPECT_EQ(p.group_count() * p.group_size(), s.numel()) << to_string(spec);
        }
    }
}

TEST(Partition, MaskMatchesKeyEquality) {
    Shape s{3, 6, 2, 3};
    for (const NormSpec& spec : every_spec(s)) {
        Partition p = make_partition(spec, s);
        for (int64_t f = 0; f < s.numel(); f += 7) {
            Index focus = unflat_index(s, f);
            auto mask = group_mask(p, focus);
            int64_t ones = 0;
            for (int64_t e = 0; e < s.numel(); ++e) {
                bool same = p.group_of_flat(e) == p.group_of(focus);
                EXPECT_EQ(mask[e], same ? 1 : 0);
                ones += mask[e];
            }
            EXPECT_EQ(ones, p.group_size());
            EXPECT_EQ(mask[f], 1);
        }
    }
}

TEST(Partition, PresetGroupCountsFollowTheDesignTable) {
    Shape s{4, 6, 4, 4};
    EXPECT_EQ(make_partition(preset(NormKind::Batch), s).group_count(), 6);
    EXPECT_EQ(make_partition(preset(NormKind::Layer), s).group_count(), 4);
    EXPECT_EQ(make_partition(preset(NormKind::Instance), s).group_count(), 24);
    EXPECT_EQ(make_partition(preset(NormKind::Group, 2), s).group_count(), 8);
    EXPECT_EQ(make_partition(preset(NormKind::LayerToken), s).group_count(), 64);
    EXPECT_EQ(make_partition(preset(NormKind::Rms), s).group_count(), 64);
    EXPECT_EQ(make_partition(preset(NormKind::Batch), s).group_size(), 64);
}

TEST(Partition, GroupOneEqualsLayerAndGroupCEqualsInstance) {
    Shape s{3, 6, 2, 5};
    EXPECT_EQ(labels(make_partition(preset(NormKind::Group, 1), s)),
              labels(make_partition(preset(NormKind::Layer), s)));
    EXPECT_EQ(labels(make_partition(preset(NormKind::Group, 6), s)),
              labels(make_partition(preset(NormKind::Instance), s)));
}

TEST(Partition, CustomAxisSetsEqualTheirPresets) {
    Shape s{3, 6, 2, 5};
    EXPECT_EQ(labels(make_partition(custom(N | H | W), s)), labels(make_partition(preset(NormKind::Batch), s)));
    EXPECT_EQ(labels(make_partition(custom(C | H | W), s)), labels(make_partition(preset(NormKind::Layer), s)));
    EXPECT_EQ(labels(make_partition(custom(H | W), s)), labels(make_partition(preset(NormKind::Instance), s)));
    EXPECT_EQ(labels(make_partition(custom(C), s)), labels(make_partition(preset(NormKind::LayerToken), s)));
    EXPECT_EQ(labels(make_partition(custom(C, false), s)), labels(make_partition(preset(NormKind::Rms), s)));
}

TEST(Partition, GroupNormKeysChannelsByGroup) {
    Shape s{2, 6, 1, 2};
    Partition p = make_partition(preset(NormKind::Group, 3), s);
    EXPECT_TRUE(p.same_group({0, 0, 0, 0}, {0, 1, 0, 1}));
    EXPECT_FALSE(p.same_group({0, 1, 0, 0}, {0, 2, 0, 0}));
    EXPECT_FALSE(p.same_group({0, 0, 0, 0}, {1, 0, 0, 0}));
    EXPECT_EQ(key_to_string(p, p.key_of({1, 5, 0, 1})), "n=1, g=2");
}

TEST(Partition, KeyWordingNamesTheKeptAxes) {
    Shape s{4, 6, 4, 4};
    auto key_text = [&](const NormSpec& spec, Index i) {
        Partition p = make_partition(spec, s);
        return key_to_string(p, p.key_of(i));
    };
    EXPECT_EQ(key_text(preset(NormKind::Batch), {2, 3, 1, 1}), "c=3");
    EXPECT_EQ(key_text(preset(NormKind::Layer), {2, 3, 1, 1}), "n=2");
    EXPECT_EQ(key_text(preset(NormKind::LayerToken), {2, 3, 1, 0}), "n=2, h=1, w=0");
    EXPECT_EQ(key_text(custom(kAllAxes), {2, 3, 1, 0}), "all");
}

TEST(Partition, GroupNumbersAreKeysInNchwOrder) {
    Shape s{2, 3, 2, 2};
    Partition p = make_partition(preset(NormKind::Instance), s);
    EXPECT_EQ(p.group_of({0, 0, 1, 1}), 0);
    EXPECT_EQ(p.group_of({0, 2, 0, 0}), 2);
    EXPECT_EQ(p.group_of({1, 0, 0, 0}), 3);
}

TEST(Partition, PooledAxesComeFromTheBlocks) {
    Shape s{4, 6, 4, 4};
    EXPECT_EQ(pooled_axes_list(make_partition(preset(NormKind::Batch), s)), "N, H, W");
    EXPECT_EQ(pooled_axes_list(make_partition(preset(NormKind::Group, 2), s)), "C/G, H, W");
    EXPECT_EQ(pooled_axes_list(make_partition(preset(NormKind::Group, 1), s)), "C, H, W");
    EXPECT_EQ(pooled_axes_list(make_partition(custom(N | W), s)), "N, W");
    Partition split = make_partition(preset(NormKind::Batch), s);
    split.block[0] = 2;  // BatchNorm over 2 devices: the key gains n / 2
    EXPECT_EQ(pooled_axes_list(split), "N/D, H, W");
}
