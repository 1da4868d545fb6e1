// Normalization: y = (x - mean) / sqrt(var + eps) (uncentred: x / sqrt(mean(x^2) + eps)),
// optionally y = gamma[c] * y + beta[c].
#pragma once

#include <vector>

#include "core/norm_spec.h"
#include "core/stats.h"
#include "core/tensor.h"

namespace normviz::core {

// Optional per-channel affine; empty vectors mean gamma = 1, beta = 0. Sizes must be C.
struct Affine {
    std::vector<float> gamma;
    std::vector<float> beta;
};

// Normalized value of one element x in a group with statistics `stats`, computed in double.
double normalize_value(double x, const GroupStats& stats, bool centered, double eps);

// Normalizes `input` into `output` (same shape; output.data is resized if needed) with the
// statistics of compute_group_stats. Precondition: validate(spec, input.shape) passed.
void normalize_into(const Tensor& input, const NormSpec& spec, const Partition& partition,
                    const std::vector<GroupStats>& stats, const Affine& affine, Tensor& output);

// Convenience: validate, partition, stats and normalize in one call.
Result<Tensor> normalize(const Tensor& input, const NormSpec& spec, const Affine& affine = {});

}  // namespace normviz::core
