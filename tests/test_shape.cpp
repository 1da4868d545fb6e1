// Shape and index math: flat indices, parsing, validation.
#include <gtest/gtest.h>

#include "core/shape.h"
#include "core/tensor.h"

using namespace normviz::core;

TEST(Shape, FlatIndexRoundTripsEveryElement) {
    Shape s{2, 3, 4, 5};
    for (int64_t f = 0; f < s.numel(); ++f) EXPECT_EQ(flat_index(s, unflat_index(s, f)), f);
    EXPECT_EQ(flat_index(s, {1, 2, 3, 4}), s.numel() - 1);
    EXPECT_EQ(flat_index(s, {0, 1, 0, 0}), 20);
}

TEST(Shape, ContiguousStridesAreInElements) {
    Strides st = contiguous_strides({2, 3, 4, 5});
    EXPECT_EQ(st.stride_n, 60);
    EXPECT_EQ(st.stride_c, 20);
    EXPECT_EQ(st.stride_h, 5);
    EXPECT_EQ(st.stride_w, 1);
}

TEST(Shape, ParseShapeAcceptsFourPositiveIntegers) {
    auto r = parse_shape("4,6,4,4");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), (Shape{4, 6, 4, 4}));
}

TEST(Shape, ParseShapeRejectsBadText) {
    for (const char* bad : {"", "4,6,4", "4,6,4,4,1", "4,x,4,4", "4,6,,4", "4,6,4,4,", "a"}) {
        auto r = parse_shape(bad);
        EXPECT_FALSE(r.ok()) << bad;
        if (!r.ok()) {
            EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
        }
    }
}

TEST(Shape, ParseShapeRejectsZeroAndNegativeDimensions) {
    EXPECT_FALSE(parse_shape("4,0,4,4").ok());
    EXPECT_FALSE(parse_shape("-1,6,4,4").ok());
}

TEST(Shape, ValidateRejectsOverflowingElementCounts) {
    EXPECT_FALSE(validate_shape({1 << 20, 1 << 20, 1 << 20, 1 << 20}).ok());
    EXPECT_FALSE(validate_shape({int64_t{1} << 62, 4, 1, 1}).ok());
    EXPECT_TRUE(validate_shape({32, 256, 56, 56}).ok());
}

TEST(Shape, ContainsChecksEveryAxis) {
    Shape s{2, 3, 4, 5};
    EXPECT_TRUE(contains(s, {1, 2, 3, 4}));
    EXPECT_FALSE(contains(s, {2, 0, 0, 0}));
    EXPECT_FALSE(contains(s, {0, 3, 0, 0}));
    EXPECT_FALSE(contains(s, {0, 0, 4, 0}));
    EXPECT_FALSE(contains(s, {0, 0, 0, -1}));
}

TEST(Tensor, SourceDimsRestoreTheRank) {
    Tensor t = make_tensor({3, 4, 1, 1});
    t.layout = normviz::core::default_layout(2);
    EXPECT_EQ(source_dims(t), (std::vector<int64_t>{3, 4}));
    t = make_tensor({3, 4, 1, 7});
    t.layout = normviz::core::default_layout(3);
    EXPECT_EQ(source_dims(t), (std::vector<int64_t>{3, 4, 7}));
    t = make_tensor({3, 4, 2, 7});
    EXPECT_EQ(source_dims(t), (std::vector<int64_t>{3, 4, 2, 7}));
}
