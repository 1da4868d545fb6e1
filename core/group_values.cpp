// Explanations of degenerate groups, and group size formulas.
#include "core/group_values.h"

#include <cmath>

namespace normviz::core {

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
