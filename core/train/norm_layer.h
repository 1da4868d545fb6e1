// A normalization layer for every norm normviz knows, forward and backward written once over
// the norm's partition (core/partition.h, docs/ARCHITECTURE.md "The one idea"), with
// per-channel affine gamma and beta. Per group, with g = gamma[c] * dy:
//   centred:    dx = (g - mean(g) - xhat * mean(g * xhat)) / sigma
//   uncentred:  dx = (g - xhat * mean(g * xhat)) / sigma      (RMSNorm, custom --no-center)
// Group sums run in double, in NCHW order: the same bits for every thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "core/norm_spec.h"
#include "core/result.h"
#include "core/train/layers.h"

namespace normviz::core::train {

class NormLayer {
public:
    NormLayer(const NormSpec& spec, int64_t channels, const std::string& name);

    // Training mode normalizes with the batch's own group statistics and, for a norm whose
    // groups are the channels (BatchNorm, custom NHW), updates the running statistics as
    // PyTorch does: momentum 0.1, unbiased running variance. Eval mode uses the running
    // statistics for such a norm, and the batch's groups for every other norm (their groups
    // hold one sample each unless custom axes include N). Error when the norm is invalid for
    // x's shape (core::validate: C % G != 0, BatchNorm with one value per channel).
    Status forward(const Act& x, Act& y, bool training);
    // Gradients of the last training-mode forward: adds to gamma.grad and beta.grad and
    // writes dx.
    void backward(const Act& dy, Act& dx);

    bool has_running_stats() const { return running_; }
    const NormSpec& spec() const { return spec_; }

    Param gamma, beta;
    std::vector<double> running_mean, running_var;
    int64_t batches_tracked = 0;

private:
    void cache_groups(const Shape& shape);

    NormSpec spec_;
    bool running_ = false;
    bool centered_ = true;
    Shape cached_shape_{0, 0, 0, 0};
    std::vector<int32_t> group_;  // group number of each element, NCHW order
    int64_t group_count_ = 0, group_size_ = 0;
    std::vector<float> xhat_;
    std::vector<double> inv_sigma_;  // per group
};

}  // namespace normviz::core::train
