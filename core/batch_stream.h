// Streams of training batches from a generator, and the BatchNorm running statistics tracked
// over them: what a model in eval mode would hold after training on data like the scene's.
// The lessons' numbers and eval-mode panels of generated tensors both use them.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/generators.h"
#include "core/result.h"
#include "core/running_stats.h"
#include "core/shape.h"
#include "core/tensor.h"

namespace normviz::core {

// The lessons' batch stream: `count` batches of `batch_size` samples, shaped as `shape`
// otherwise, from generator g. The per-channel offsets and scales depend only on seed and C
// (core/generators.h), so every batch comes from the same distribution as the scene's tensor
// with that seed; `shift` is added to every value (a new domain when fine-tuning).
std::vector<Tensor> make_batch_stream(const Shape& shape, int64_t batch_size, int count, Generator g, uint64_t seed,
                                      double shift = 0);

// Running statistics after training-mode passes over `batches`, in order (torch semantics,
// RunningStats). Errors: those of RunningStats::update (C mismatch, one value per
// channel). Precondition: batches non-empty.
Result<RunningStats> track_running_stats(const std::vector<Tensor>& batches,
                                         std::optional<double> momentum = kDefaultMomentum);

// Largest batch stream (values over all batches) the lessons and eval mode generate.
inline constexpr int64_t kMaxStreamElements = int64_t{1} << 24;
// Training batches behind an eval-mode BatchNorm panel's running statistics (lesson 5's
// "batches" param).
inline constexpr int kEvalStreamBatches = 30;

struct EvalRunningStats {
    RunningStats running;
    int batches = 0;  // training batches tracked
};

// The running statistics an eval-mode BatchNorm panel (Scene::batchnorm_eval) normalizes
// with: a fresh BatchNorm (mean 0, var 1, momentum 0.1) after training-mode passes over
// make_batch_stream(shape, shape.N, batches, g, seed), i.e. the "running_stats" claim with
// batch_size = N. `batches` drops (to 1 at least) so the stream holds at most
// kMaxStreamElements values. Errors: those of track_running_stats (N*H*W == 1).
// Precondition: validate_shape(shape) passed, batches >= 1.
Result<EvalRunningStats> eval_running_stats(const Shape& shape, Generator g, uint64_t seed,
                                            int batches = kEvalStreamBatches);

// Samples `samples` (indices into tensor's N) as a new tensor, in that order.
Tensor take_samples(const Tensor& tensor, const std::vector<int64_t>& samples);

}  // namespace normviz::core
