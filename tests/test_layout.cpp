// Layouts: names, shapes, indices and the channels-last transposes, checked element by element
// against the definition (array index -> NCHW index), not against the transpose itself.
#include "core/layout.h"

#include <gtest/gtest.h>

#include <numeric>

#include "core/array.h"

using namespace normviz::core;

namespace {

// The array's C-order flat offset of NCHW element (n, c, h, w) for `layout`.
int64_t array_offset(const Shape& s, Layout layout, int64_t n, int64_t c, int64_t h, int64_t w) {
    switch (layout) {
        case Layout::NCHW: return ((n * s.C + c) * s.H + h) * s.W + w;
        case Layout::NHWC: return ((n * s.H + h) * s.W + w) * s.C + c;
        case Layout::NCL: return (n * s.C + c) * s.W + w;
        case Layout::NLC: return (n * s.W + w) * s.C + c;
        case Layout::NC: return n * s.C + c;
    }
    return -1;
}

Shape shape_for(Layout layout) {
    switch (layout) {
        case Layout::NCHW:
        case Layout::NHWC: return {2, 37, 5, 7};  // C and H*W not multiples of the tile
        case Layout::NCL:
        case Layout::NLC: return {3, 33, 1, 65};
        case Layout::NC: return {4, 9, 1, 1};
    }
    return {};
}

}  // namespace

TEST(Layout, NamesParseBackCaseInsensitively) {
    for (Layout l : kAllLayouts) {
        Result<Layout> parsed = parse_layout(layout_name(l));
        ASSERT_TRUE(parsed.ok());
        EXPECT_EQ(parsed.value(), l);
    }
    EXPECT_EQ(parse_layout("nlc").value(), Layout::NLC);
    Result<Layout> bad = parse_layout("NTC");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("NHWC"), std::string::npos);
}

TEST(Layout, ShapesMapEachAxis) {
    EXPECT_EQ(shape_in_layout({8, 56, 56, 64}, Layout::NHWC, "x").value(), (Shape{8, 64, 56, 56}));
    EXPECT_EQ(shape_in_layout({2, 7, 16}, Layout::NLC, "x").value(), (Shape{2, 16, 1, 7}));
    EXPECT_EQ(shape_in_layout({2, 16, 7}, Layout::NCL, "x").value(), (Shape{2, 16, 1, 7}));
    EXPECT_EQ(shape_in_layout({5, 3}, Layout::NC, "x").value(), (Shape{5, 3, 1, 1}));
    for (Layout l : kAllLayouts) {
        const Shape s = shape_for(l);
        EXPECT_EQ(shape_in_layout(dims_in_layout(s, l), l, "x").value(), s) << layout_name(l);
    }
}

TEST(Layout, RankMismatchIsOneLineNamingTheLayoutsThatFit) {
    Result<Shape> bad = shape_in_layout({2, 7, 16}, Layout::NHWC, "h.npy");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message,
              "h.npy: layout NHWC reads rank 4 arrays, but the array (2, 7, 16) has rank 3; use "
              "--layout NCL or NLC");
}

TEST(Layout, DescribeReadingNamesEveryAxis) {
    EXPECT_EQ(describe_reading({4, 16, 64}, Layout::NCL), "read (4, 16, 64) as N=4, C=16, L=64 (NCL)");
    EXPECT_EQ(describe_reading({2, 7, 768}, Layout::NLC), "read (2, 7, 768) as N=2, L=7, C=768 (NLC)");
    EXPECT_EQ(describe_reading({8, 56, 56, 64}, Layout::NHWC), "read (8, 56, 56, 64) as N=8, H=56, W=56, C=64 (NHWC)");
}

TEST(Layout, IndexInLayoutFollowsTheArrayOrder) {
    EXPECT_EQ(index_in_layout({1, 5, 3}, Layout::NLC), (Index{1, 3, 0, 5}));
    EXPECT_EQ(index_in_layout({1, 2, 3, 4}, Layout::NHWC), (Index{1, 4, 2, 3}));
    EXPECT_EQ(index_in_layout({1, 2}, Layout::NC), (Index{1, 2, 0, 0}));
}

// Every element lands where the definition says, both ways, float, double and uint8.
TEST(Layout, TransposesPlaceEveryElement) {
    for (Layout l : kAllLayouts) {
        const Shape s = shape_for(l);
        const size_t count = static_cast<size_t>(s.numel());
        std::vector<float> array(count);
        std::iota(array.begin(), array.end(), 0.0f);
        std::vector<float> nchw(count), back(count);
        to_nchw(array.data(), s, l, nchw.data());
        for (int64_t n = 0; n < s.N; ++n)
            for (int64_t c = 0; c < s.C; ++c)
                for (int64_t h = 0; h < s.H; ++h)
                    for (int64_t w = 0; w < s.W; ++w)
                        ASSERT_EQ(nchw[static_cast<size_t>(flat_index(s, {n, c, h, w}))],
                                  static_cast<float>(array_offset(s, l, n, c, h, w)))
                            << layout_name(l);
        from_nchw(nchw.data(), s, l, back.data());
        EXPECT_EQ(back, array) << layout_name(l);
        std::vector<double> array64(array.begin(), array.end()), nchw64(count), back64(count);
        to_nchw(array64.data(), s, l, nchw64.data());
        EXPECT_EQ(std::vector<double>(nchw.begin(), nchw.end()), nchw64);
        from_nchw(nchw64.data(), s, l, back64.data());
        EXPECT_EQ(back64, array64);
        std::vector<uint8_t> mask(count), ordered(count);
        for (size_t i = 0; i < count; ++i) mask[i] = static_cast<uint8_t>(static_cast<int64_t>(nchw[i]) % 251);
        from_nchw(mask.data(), s, l, ordered.data());
        for (size_t i = 0; i < count; ++i) ASSERT_EQ(ordered[i], i % 251) << layout_name(l);
    }
}

TEST(Layout, TensorFromArrayUsesTheRankDefaultOrTheGivenLayout) {
    Array array;
    array.dims = {2, 3, 4};
    array.values.resize(24);
    std::iota(array.values.begin(), array.values.end(), 0.0f);
    Array copy = array;
    Result<Tensor> ncl = tensor_from_array(std::move(array), std::nullopt, "x");
    ASSERT_TRUE(ncl.ok());
    EXPECT_EQ(ncl.value().layout, Layout::NCL);
    EXPECT_EQ(ncl.value().shape, (Shape{2, 3, 1, 4}));
    Result<Tensor> nlc = tensor_from_array(std::move(copy), Layout::NLC, "x");
    ASSERT_TRUE(nlc.ok());
    EXPECT_EQ(nlc.value().shape, (Shape{2, 4, 1, 3}));
    EXPECT_EQ(nlc.value().at({1, 2, 0, 1}), 1 * 12 + 1 * 4 + 2);  // (b=1, t=1, d=2)
    EXPECT_EQ(source_dims(nlc.value()), (std::vector<int64_t>{2, 3, 4}));
}

TEST(Layout, ReadingSaysWhatBecameOfTheDtype) {
    for (const auto& [dtype, tail] :
         std::vector<std::pair<std::string, std::string>>{{"float32", ""},
                                                          {"float16", "; float16, exact in float32"},
                                                          {"float64", "; float64, statistics from the float64 values"},
                                                          {"int64", "; int64 converted to float32"}}) {
        Array array;
        array.dims = {2, 7, 16};
        array.values.resize(2 * 7 * 16);
        array.dtype = dtype;
        Result<Tensor> t = tensor_from_array(std::move(array), Layout::NLC, "x");
        ASSERT_TRUE(t.ok());
        EXPECT_EQ(describe_reading(t.value()), "read (2, 7, 16) as N=2, L=7, C=16 (NLC)" + tail);
    }
}

TEST(Layout, IndexInWordsIsTheInverseOfIndexInLayout) {
    EXPECT_EQ(index_in_words({1, 3, 0, 5}, Layout::NLC), "(n, l, c) = (1, 5, 3)");
    EXPECT_EQ(index_in_words({1, 4, 2, 3}, Layout::NHWC), "(n, h, w, c) = (1, 2, 3, 4)");
    EXPECT_EQ(index_in_words(index_in_layout({1, 2, 3}, Layout::NCL), Layout::NCL), "(n, c, l) = (1, 2, 3)");
    EXPECT_EQ(index_in_words({4, 7, 0, 0}, Layout::NC), "(n, c) = (4, 7)");
}
