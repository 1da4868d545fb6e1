// Sample edits of a batch (core/batch_edit.h): the edited sample changes as named, every other
// sample keeps its values bit for bit, float64 values included, and impossible edits are refused.
#include <gtest/gtest.h>

#include "core/batch_edit.h"

namespace normviz::core {
namespace {

Tensor numbered(const Shape& s, bool exact64) {
    Tensor t = make_tensor(s);
    for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = float(i) * 0.5f - 3.0f;
    if (exact64) {
        t.data64.resize(t.data.size());
        for (size_t i = 0; i < t.data.size(); ++i) t.data64[i] = double(t.data[i]) + 1e-12;  // not a float
    }
    return t;
}

void expect_sample_kept(const Tensor& a, int64_t na, const Tensor& b, int64_t nb) {
    for (int64_t c = 0; c < a.shape.C; ++c)
        for (int64_t h = 0; h < a.shape.H; ++h)
            for (int64_t w = 0; w < a.shape.W; ++w) {
                EXPECT_EQ(a.at({na, c, h, w}), b.at({nb, c, h, w}));
                if (a.has_exact64()) {
                    EXPECT_EQ(a.data64[flat_index(a.shape, {na, c, h, w})],
                              b.data64[flat_index(b.shape, {nb, c, h, w})]);
                }
            }
}

TEST(BatchEdit, EachEditChangesOnlyItsSample) {
    for (bool exact : {false, true}) {
        SCOPED_TRACE(exact ? "float64" : "float32");
        const Shape s{4, 2, 2, 5};
        const Tensor t = numbered(s, exact);
        for (SampleEdit e : {SampleEdit::Outlier, SampleEdit::Padded, SampleEdit::Shifted}) {
            SCOPED_TRACE(sample_edit_name(e));
            auto out = edit_sample(t, 2, e);
            ASSERT_TRUE(out);
            const Tensor& u = out.value();
            ASSERT_EQ(u.shape, s);
            ASSERT_EQ(u.has_exact64(), exact);
            for (int64_t n : {0, 1, 3}) expect_sample_kept(t, n, u, n);
            for (int64_t c = 0; c < s.C; ++c)
                for (int64_t h = 0; h < s.H; ++h)
                    for (int64_t w = 0; w < s.W; ++w) {
                        const float x = t.at({2, c, h, w}), y = u.at({2, c, h, w});
                        const float want = e == SampleEdit::Outlier   ? x * 8.0f
                                           : e == SampleEdit::Shifted ? x + 2.0f
                                           : w >= 3                   ? 0.0f  // padded from ceil(5 / 2) = 3
                                                                      : x;
                        EXPECT_EQ(y, want);
                    }
        }
        auto removed = edit_sample(t, 1, SampleEdit::Remove);
        ASSERT_TRUE(removed);
        EXPECT_EQ(removed.value().shape, (Shape{3, 2, 2, 5}));
        EXPECT_EQ(removed.value().has_exact64(), exact);
        expect_sample_kept(t, 0, removed.value(), 0);
        expect_sample_kept(t, 2, removed.value(), 1);
        expect_sample_kept(t, 3, removed.value(), 2);
        auto swapped = edit_sample(t, 1, SampleEdit::SwapNext);
        ASSERT_TRUE(swapped);
        expect_sample_kept(t, 1, swapped.value(), 2);
        expect_sample_kept(t, 2, swapped.value(), 1);
        expect_sample_kept(t, 0, swapped.value(), 0);
    }
}

TEST(BatchEdit, ImpossibleEditsAreRefused) {
    const Tensor one = numbered({1, 2, 2, 2}, false);
    EXPECT_FALSE(edit_sample(one, 0, SampleEdit::Remove));
    EXPECT_FALSE(edit_sample(one, 0, SampleEdit::SwapNext));
    EXPECT_FALSE(edit_sample(one, 1, SampleEdit::Outlier));
    EXPECT_FALSE(edit_sample(one, -1, SampleEdit::Shifted));
    auto refused = edit_sample(numbered({3, 1, 1, 1}, false), 2, SampleEdit::SwapNext);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("last"), std::string::npos) << refused.error().message;
}

}  // namespace
}  // namespace normviz::core
