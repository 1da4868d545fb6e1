// The numbers each lesson step shows, computed from the data with core: group counts, G from
// 1 to C, the two LayerNorms and RMSNorm, batch size, running statistics and eval mode,
// padding, devices and micro-batches, fine-tuning drift. Pure functions (no ImGui, no GL), so
// tests check every lesson's claim against a direct computation.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/generators.h"
#include "core/running_stats.h"
#include "core/shape.h"
#include "core/tensor.h"

namespace normviz::app {

// What a claim is computed from: the scene's tensor and settings, and the step's params.
struct ClaimInputs {
    const core::Tensor* tensor = nullptr;  // the scene's tensor (not null)
    core::Index focus;
    int64_t groups = 2;
    double eps = 1e-5;
    int64_t devices = 1;
    std::vector<int64_t> lengths;
    core::Generator generator = core::Generator::PerChannel;
    uint64_t seed = 1;
    std::map<std::string, double> params;
};

struct ClaimRow {
    std::string label;
    std::string value;
};

struct ClaimResult {
    std::string headline;                  // the claim in one sentence, with its number
    std::vector<ClaimRow> rows;            // a small table of the numbers behind it
    std::map<std::string, double> values;  // the same numbers by name (tests, CSV)
    std::string error;                     // why it cannot be shown for this data; else empty
};

// Claim names a lesson step may use.
std::span<const char* const> lesson_claim_names();

// Computes claim `name` (one of lesson_claim_names()) for `in`. Data that does not fit the
// claim (N not divisible by the devices, no lengths, ...) gives `error`, never NaN without a
// word. Precondition: in.tensor valid, focus inside its shape.
ClaimResult compute_claim(const std::string& name, const ClaimInputs& in);

// The lessons' batch stream: `count` batches of `batch_size` samples, shaped as `shape`
// otherwise, from generator g. The per-channel offsets and scales depend only on seed and C
// (core/generators.h), so every batch comes from the same distribution as the scene's tensor
// with that seed; `shift` is added to every value (a new domain when fine-tuning).
std::vector<core::Tensor> make_batch_stream(const core::Shape& shape, int64_t batch_size, int count,
                                            core::Generator g, uint64_t seed, double shift = 0);

// Running statistics after training-mode passes over `batches`, in order (torch semantics,
// core::RunningStats). Errors: those of RunningStats::update (C mismatch, one value per
// channel). Precondition: batches non-empty.
core::Result<core::RunningStats> track_running_stats(const std::vector<core::Tensor>& batches,
                                                     std::optional<double> momentum = core::kDefaultMomentum);

// Largest batch stream (values over all batches) the lessons and eval mode generate.
inline constexpr int64_t kMaxStreamElements = int64_t{1} << 24;
// Training batches behind an eval-mode BatchNorm panel's running statistics (lesson 5's
// "batches" param).
inline constexpr int kEvalStreamBatches = 30;

struct EvalRunningStats {
    core::RunningStats running;
    int batches = 0;  // training batches tracked
};

// The running statistics an eval-mode BatchNorm panel (Scene::batchnorm_eval) normalizes
// with: a fresh BatchNorm (mean 0, var 1, momentum 0.1) after training-mode passes over
// make_batch_stream(shape, shape.N, batches, g, seed), i.e. the "running_stats" claim with
// batch_size = N. `batches` drops (to 1 at least) so the stream holds at most
// kMaxStreamElements values. Errors: those of track_running_stats (N*H*W == 1).
// Precondition: validate_shape(shape) passed, batches >= 1.
core::Result<EvalRunningStats> eval_running_stats(const core::Shape& shape, core::Generator g, uint64_t seed,
                                                  int batches = kEvalStreamBatches);

// Samples `samples` (indices into tensor's N) as a new tensor, in that order.
core::Tensor take_samples(const core::Tensor& tensor, const std::vector<int64_t>& samples);

}  // namespace normviz::app
