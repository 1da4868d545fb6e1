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

// Normalizes `input` into `output` (same shape; output.data is resized if needed, and reused
// without reallocation when it already has the size) with the statistics of
// compute_group_stats: x-hat within 2 float32 ulps of the exact value (in float from a
// two-float shift where float32 holds the group's variance, else in double and rounded once;
// see normalize.cpp). `threads` as in compute_group_stats; the output is the same for every
// thread count and instruction set. Large outputs are written with streaming stores.
// Precondition: validate(spec, input.shape) passed; &input != &output.
void normalize_into(const Tensor& input, const NormSpec& spec, const Partition& partition,
                    const std::vector<GroupStats>& stats, const Affine& affine, Tensor& output, int threads = 0);

// compute_group_stats and normalize_into in one sweep: a group (or a tile of lane-wise
// groups) is normalized while it is still in cache, so the input is read from memory once
// where the groups are small enough. `stats` and `output` are bit for bit what the two calls
// give, for every `threads`. Precondition: as normalize_into.
void normalize_with_stats_into(const Tensor& input, const NormSpec& spec, const Partition& partition,
                               const Affine& affine, std::vector<GroupStats>& stats, Tensor& output, int threads = 0);

// Convenience: validate, partition, stats and normalize in one call.
Result<Tensor> normalize(const Tensor& input, const NormSpec& spec, const Affine& affine = {}, int threads = 0);

}  // namespace normviz::core
