// NormSpec: parsing names and axes, validation errors, descriptions, preset matching.
#include <gtest/gtest.h>

#include <cmath>

#include "core/norm_spec.h"

using namespace normviz::core;

namespace {
constexpr AxisMask N = axis_bit(Axis::N), C = axis_bit(Axis::C), H = axis_bit(Axis::H), W = axis_bit(Axis::W);

NormSpec spec_of(NormKind kind, int64_t groups = 1) {
    NormSpec s;
    s.kind = kind;
    s.groups = groups;
    return s;
}
}  // namespace

TEST(NormSpec, ParsesEveryNormName) {
    for (NormKind k : kAllNormKinds) {
        auto r = parse_norm_name(norm_name(k));
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r.value(), k);
    }
    auto bad = parse_norm_name("batchnorm");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("layer-token"), std::string::npos);
}

TEST(NormSpec, AxesAreASetInAnyOrderAndCase) {
    EXPECT_EQ(parse_axes("WN").value(), N | W);
    EXPECT_EQ(parse_axes("nw").value(), N | W);
    EXPECT_EQ(axes_to_string(parse_axes("WHCN").value()), "NCHW");
    EXPECT_EQ(axes_to_list(N | H | W), "N, H, W");
}

TEST(NormSpec, AxesRejectEmptyUnknownAndRepeatedLetters) {
    EXPECT_FALSE(parse_axes("").ok());
    EXPECT_FALSE(parse_axes("NX").ok());
    EXPECT_FALSE(parse_axes("NN").ok());
    EXPECT_FALSE(parse_axes("N,H").ok());
}

TEST(NormSpec, ValidateRefusesBatchWithOneValuePerChannel) {
    auto r = validate(spec_of(NormKind::Batch), {1, 6, 1, 1});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("one value per channel"), std::string::npos);
    EXPECT_TRUE(validate(spec_of(NormKind::Batch), {2, 6, 1, 1}).ok());
    EXPECT_TRUE(validate(spec_of(NormKind::Batch), {1, 6, 2, 1}).ok());
}

TEST(NormSpec, ValidateRefusesInstanceWithOneSpatialValue) {
    EXPECT_FALSE(validate(spec_of(NormKind::Instance), {4, 6, 1, 1}).ok());
    EXPECT_TRUE(validate(spec_of(NormKind::Instance), {1, 1, 1, 2}).ok());
}

TEST(NormSpec, ValidateRefusesBadGroupCounts) {
    auto r = validate(spec_of(NormKind::Group, 4), {2, 6, 3, 3});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("1, 2, 3, 6"), std::string::npos);
    EXPECT_FALSE(validate(spec_of(NormKind::Group, 0), {2, 6, 3, 3}).ok());
    EXPECT_FALSE(validate(spec_of(NormKind::Group, -2), {2, 6, 3, 3}).ok());
    EXPECT_TRUE(validate(spec_of(NormKind::Group, 3), {2, 6, 3, 3}).ok());
}

TEST(NormSpec, ValidateRefusesEmptyCustomAxesAndBadEps) {
    NormSpec s = spec_of(NormKind::Custom);
    EXPECT_FALSE(validate(s, {2, 6, 3, 3}).ok());
    s.custom_axes = H;
    EXPECT_TRUE(validate(s, {2, 6, 3, 3}).ok());
    s.eps = -1;
    EXPECT_FALSE(validate(s, {2, 6, 3, 3}).ok());
    s.eps = std::nan("");
    EXPECT_FALSE(validate(s, {2, 6, 3, 3}).ok());
    s.eps = 0;
    EXPECT_TRUE(validate(s, {2, 6, 3, 3}).ok());
}

TEST(NormSpec, MatchingPresetNamesEqualAxisSets) {
    EXPECT_EQ(matching_preset(N | H | W, true), NormKind::Batch);
    EXPECT_EQ(matching_preset(C | H | W, true), NormKind::Layer);
    EXPECT_EQ(matching_preset(H | W, true), NormKind::Instance);
    EXPECT_EQ(matching_preset(C, true), NormKind::LayerToken);
    EXPECT_EQ(matching_preset(C, false), NormKind::Rms);
    EXPECT_EQ(matching_preset(N | W, true), std::nullopt);
    EXPECT_EQ(matching_preset(N | H | W, false), std::nullopt);
}

TEST(NormSpec, DescribeCountsGroupsAndValues) {
    Shape s{4, 6, 4, 4};
    EXPECT_EQ(describe(spec_of(NormKind::Batch), s), "BatchNorm: pools N,H,W; C = 6 groups of 64 values");
    EXPECT_EQ(describe(spec_of(NormKind::Layer), s), "LayerNorm: pools C,H,W; N = 4 groups of 96 values");
    EXPECT_EQ(describe(spec_of(NormKind::Group, 2), s),
              "GroupNorm (G=2): pools C/G,H,W; N\u00b7G = 8 groups of 48 values");
    EXPECT_EQ(describe(spec_of(NormKind::Rms), s),
              "RMSNorm: pools C, no centering; N\u00b7H\u00b7W = 64 groups of 6 values");
    NormSpec all = spec_of(NormKind::Custom);
    all.custom_axes = kAllAxes;
    EXPECT_EQ(describe(all, s), "Custom (NCHW): pools N,C,H,W; 1 = 1 group of 384 values");
}

TEST(NormSpec, ToStringPrintsCommandLineOptions) {
    NormSpec s = spec_of(NormKind::Custom);
    s.custom_axes = W | N;
    s.custom_center = false;
    s.eps = 1e-3;
    EXPECT_EQ(to_string(s), "custom --axes NW --no-center --eps 0.001");
    EXPECT_EQ(to_string(spec_of(NormKind::Group, 2)), "group --groups 2");
}
