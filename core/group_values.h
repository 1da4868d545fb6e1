// The values of one group (for histograms and the statistics panel), and plain-language
// explanations of groups whose statistics are degenerate.
#pragma once

#include <string>
#include <vector>

#include "core/norm_spec.h"
#include "core/normalize.h"
#include "core/partition.h"
#include "core/stats.h"
#include "core/tensor.h"

namespace normviz::core {

struct GroupValues {
    std::vector<float> inputs;   // x of every element in the focus's group, NCHW order
    std::vector<float> outputs;  // y = gamma * x_hat + beta for the same elements
};

// Values of the group that holds `focus`. Preconditions: contains(shape, focus),
// `stats` from compute_group_stats for this partition.
GroupValues group_values(const Tensor& tensor, const NormSpec& spec, const Partition& partition,
                         const std::vector<GroupStats>& stats, const Affine& affine,
                         const Index& focus);

// Counts of `values` in `bins` equal bins over [lo, hi]; non-finite values are skipped.
std::vector<float> bin_counts(const std::vector<float>& values, int bins, float lo, float hi);

// A sentence explaining why this group's numbers are degenerate (one value, zero variance
// with eps = 0, NaN or Inf inside), or empty when they are ordinary.
std::string explain_group(const NormSpec& spec, const GroupStats& stats);

// "N·H·W = 64": the product of extents that gives the group size, as a formula.
std::string group_size_formula(const Partition& partition);

}  // namespace normviz::core
