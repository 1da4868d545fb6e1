// A trained BatchNorm's buffers from a checkpoint: the running statistics eval mode uses, and
// the affine weights, read from a .safetensors (or .npz) file by the layer's prefix.
#pragma once

#include <string>
#include <vector>

#include "core/array_file.h"
#include "core/normalize.h"
#include "core/result.h"
#include "core/running_stats.h"

namespace normviz::core {

struct BatchNormBuffers {
    std::vector<double> running_mean;  // C values
    std::vector<double> running_var;   // C values (unbiased, as PyTorch keeps it)
    Affine affine;                     // PREFIX.weight / PREFIX.bias when present, else empty
    std::string prefix;                // e.g. "layer1.0.bn1"
};

// Reads "FILE.safetensors:PREFIX" (or "FILE.npz:PREFIX"): the members PREFIX.running_mean,
// PREFIX.running_var and, when present, PREFIX.weight and PREFIX.bias, each of rank 1 and the
// same length. Errors (one line, naming the file): no prefix given, a buffer missing (the
// message lists the prefixes the file has BatchNorm buffers for), lengths that differ.
Result<BatchNormBuffers> read_batchnorm_buffers(const std::string& source);
// Same, with the file and the prefix apart.
Result<BatchNormBuffers> read_batchnorm_buffers(const ArraySource& source);

// Checks the buffers fit a tensor with C channels: an Error saying both numbers otherwise.
Status check_buffers_fit(const BatchNormBuffers& buffers, int64_t channels);

// Running statistics holding the buffers (batches_tracked 0, momentum PyTorch's default).
RunningStats running_stats_from(const BatchNormBuffers& buffers);

}  // namespace normviz::core
