// Group values for the statistics panel; explanations of degenerate groups.
#include "core/group_values.h"

#include <algorithm>
#include <cmath>

#include "core/assert.h"

namespace normviz::core {

GroupValues group_values(const Tensor& tensor, const NormSpec& spec, const Partition& p,
                         const std::vector<GroupStats>& stats, const Affine& affine,
                         const Index& focus) {
    NORMVIZ_ASSERT(contains(tensor.shape, focus), "focus outside the shape");
    const GroupStats& g = stats[p.group_of(focus)];
    const bool centered = is_centered(spec);
    const Index key = p.key_of(focus);
    GroupValues out;
    out.inputs.reserve(p.group_size());
    out.outputs.reserve(p.group_size());
    // Walk only the group's block: coordinates key * block .. key * block + block - 1.
    const auto& b = p.block;
    for (int64_t n = key.n * b[0]; n < (key.n + 1) * b[0]; ++n)
        for (int64_t c = key.c * b[1]; c < (key.c + 1) * b[1]; ++c)
            for (int64_t h = key.h * b[2]; h < (key.h + 1) * b[2]; ++h)
                for (int64_t w = key.w * b[3]; w < (key.w + 1) * b[3]; ++w) {
                    const float x = tensor.at({n, c, h, w});
                    const double gamma = affine.gamma.empty() ? 1.0 : affine.gamma[c];
                    const double beta = affine.beta.empty() ? 0.0 : affine.beta[c];
                    out.inputs.push_back(x);
                    out.outputs.push_back(
                        static_cast<float>(gamma * normalize_value(x, g, centered, spec.eps) + beta));
                }
    return out;
}

std::vector<float> bin_counts(const std::vector<float>& values, int bins, float lo, float hi) {
    std::vector<float> counts(static_cast<size_t>(std::max(bins, 1)), 0.0f);
    const double width = (static_cast<double>(hi) - lo) / counts.size();
    for (float v : values) {
        if (!std::isfinite(v)) continue;
        // In double: v - lo in float overflows to Inf for values near the float limits, and a
        // float-to-integer cast of Inf is undefined.
        double at = width > 0 ? (static_cast<double>(v) - lo) / width : 0.0;
        if (!(at >= 0)) at = 0;  // below lo, or NaN from an infinite lo or hi
        const int64_t i = static_cast<int64_t>(std::min(at, static_cast<double>(counts.size() - 1)));
        counts[i] += 1;
    }
    return counts;
}

std::string explain_group(const NormSpec& spec, const GroupStats& s) {
    const bool centered = is_centered(spec);
    if (std::isnan(s.mean))
        return "The group contains NaN, so its mean and variance are NaN and every value of the "
               "group normalizes to NaN, as in PyTorch. Other groups are unaffected.";
    if (std::isinf(s.mean) || std::isinf(s.mean_sq)) {
        if (centered)
            return "The group contains an infinite value: its mean is infinite and its variance "
                   "undefined, so every value of the group normalizes to NaN, as in PyTorch.";
        return "The group contains an infinite value: its mean square is infinite, so finite "
               "values normalize to 0 and the infinite one to NaN, as in PyTorch.";
    }
    const double spread = centered ? s.var : s.mean_sq;
    // Before the single-value case: with eps = 0 a single value also gives 0/0.
    if (spread == 0 && spec.eps == 0) {
        if (s.count == 1)
            return centered ? "The group holds a single value and eps = 0: x - mean = 0 and the variance is 0, "
                              "so x_hat = 0/0 is undefined (NaN). A positive eps makes it 0."
                            : "The group holds the single value 0 and eps = 0: x / sqrt(0) = 0/0 is undefined "
                              "(NaN). A positive eps makes it 0.";
        return centered ? "All pooled values are equal and eps = 0: x - mean = 0 and the variance "
                          "is 0, so x_hat = 0/0 is undefined (NaN). A positive eps avoids this."
                        : "All pooled values are 0 and eps = 0: x / sqrt(0) = 0/0 is undefined (NaN).";
    }
    if (s.count == 1)
        return centered ? "The group holds a single value: its variance is 0 and x - mean = 0, so "
                          "the output is 0 whatever the input."
                        : "The group holds a single value: x / sqrt(x^2 + eps) is just its sign "
                          "(for |x| much larger than sqrt(eps)).";
    if (spread == 0)
        return centered ? "All pooled values are equal: the variance is 0 and every x_hat is 0; eps "
                          "keeps the division finite."
                        : "All pooled values are 0, so every output is 0.";
    return {};
}

std::string group_size_formula(const Partition& p) {
    std::string formula;
    for (int a = 0; a < kAxisCount; ++a)
        if (p.block[a] != 1) formula += (formula.empty() ? "" : "\u00b7") + pooled_axis_name(p, a);
    if (formula.empty()) formula = "1";
    return formula + " = " + std::to_string(p.group_size());
}

}  // namespace normviz::core
