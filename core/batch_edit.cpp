// One sample of a batch edited; the rest copied unchanged.
#include "core/batch_edit.h"

#include <algorithm>
#include <string>

namespace normviz::core {

const char* sample_edit_name(SampleEdit edit) {
    switch (edit) {
        case SampleEdit::Remove: return "remove";
        case SampleEdit::SwapNext: return "swap with the next";
        case SampleEdit::Outlier: return "outlier";
        case SampleEdit::Padded: return "padded";
        case SampleEdit::Shifted: return "another domain";
    }
    return "?";
}

Result<Tensor> edit_sample(const Tensor& tensor, int64_t n, SampleEdit edit) {
    const Shape& s = tensor.shape;
    if (n < 0 || n >= s.N)
        return make_error("sample " + std::to_string(n) + " is outside the batch of " + std::to_string(s.N));
    if (edit == SampleEdit::Remove && s.N == 1) return make_error("the batch has one sample; it cannot lose it");
    if (edit == SampleEdit::SwapNext && n + 1 >= s.N)
        return make_error("sample " + std::to_string(n) + " is the last; there is no next one to swap with");
    const int64_t per = s.C * s.H * s.W;
    const bool exact = tensor.has_exact64();
    Tensor out = tensor;
    auto apply = [&](auto& values) {
        using T = typename std::decay_t<decltype(values)>::value_type;
        auto first = values.begin() + n * per;
        switch (edit) {
            case SampleEdit::Remove: values.erase(first, first + per); break;
            case SampleEdit::SwapNext: std::swap_ranges(first, first + per, first + per); break;
            case SampleEdit::Outlier:
                std::for_each(first, first + per, [](T& v) { v = static_cast<T>(v * kOutlierScale); });
                break;
            case SampleEdit::Shifted:
                std::for_each(first, first + per, [](T& v) { v = static_cast<T>(v + kDomainShift); });
                break;
            case SampleEdit::Padded:
                for (int64_t i = 0; i < per; ++i)
                    if (i % s.W >= (s.W + 1) / 2) first[i] = T(0);
                break;
        }
    };
    apply(out.data);
    if (exact) apply(out.data64);
    if (edit == SampleEdit::Remove) out.shape.N = s.N - 1;
    return out;
}

}  // namespace normviz::core
