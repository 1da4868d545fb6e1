// Statistics per group: count, mean, biased variance, mean of squares.
#pragma once

#include <cstdint>
#include <vector>

#include "core/partition.h"
#include "core/tensor.h"

namespace normviz::core {

struct GroupStats {
    int64_t count = 0;
    double mean = 0;     // sum(x) / count
    double var = 0;      // biased: sum((x - mean)^2) / count, as PyTorch's forward pass
    double mean_sq = 0;  // sum(x^2) / count, the RMSNorm statistic
};

// Statistics of every group, indexed by Partition::group_of. Accumulates in double over fixed
// pieces of each group (a shifted one-pass sum per piece, cached in L1), merged in a fixed
// order with Chan et al.'s update (see stats.cpp), so 1e4 + N(0, 1) keeps its variance, a
// constant group has variance exactly 0, and the result is bit for bit the same for every
// `threads` (<= 0: all hardware threads; small tensors use one). NaN/Inf propagate only
// within their group: a group with NaN has NaN mean and var; a group with +-Inf has +-Inf
// mean and NaN var (as PyTorch's), and mean_sq Inf. Precondition: partition.shape ==
// tensor.shape. A float64 tensor (Tensor::has_exact64) is computed from its exact values, two
// passes in memory order on one thread.
std::vector<GroupStats> compute_group_stats(const Tensor& tensor, const Partition& partition, int threads = 0);

}  // namespace normviz::core
