// BatchNorm's running statistics with PyTorch's semantics: updated by each training batch,
// used instead of the batch's statistics in eval mode (the batch's group is empty: it
// contributes no statistics). Also the lessons' numbers: how far train-mode and eval-mode
// outputs differ for one batch, and how frozen statistics differ from updated ones.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/normalize.h"
#include "core/result.h"
#include "core/stats.h"
#include "core/tensor.h"

namespace normviz::core {

// torch.nn.BatchNorm2d's default momentum.
inline constexpr double kDefaultMomentum = 0.1;

// Momentum must be a finite number in [0, 1], or absent (nullopt: cumulative average).
// Error worded for the user, with the fix.
Status validate_momentum(std::optional<double> momentum);

// Per-channel running mean and variance of torch.nn.BatchNorm2d(C, momentum), in double.
// Starts at mean 0, var 1, no batches tracked. Each training batch, with its per-channel mean
// m and biased variance v over n = N*H*W values, updates, with a = momentum, or a = 1 / k on
// the k-th batch when momentum is nullopt (a cumulative average; the first batch replaces
// the initial values):
//     running_mean = (1 - a) * running_mean + a * m
//     running_var  = (1 - a) * running_var  + a * v * n / (n - 1)   (unbiased)
// A frozen BatchNorm (eval mode while fine-tuning) is the same object left un-updated.
class RunningStats {
public:
    // Precondition: channels >= 1, validate_momentum(momentum) passed.
    explicit RunningStats(int64_t channels, std::optional<double> momentum = kDefaultMomentum);
    // Running statistics a trained model holds (a checkpoint's running_mean / running_var).
    // Precondition: mean.size() == var.size() >= 1.
    RunningStats(std::vector<double> mean, std::vector<double> var, std::optional<double> momentum = kDefaultMomentum);

    // A training-mode forward pass of `batch` (any N, H, W; C must match). Errors, with
    // nothing updated: C differs from channels(); N*H*W == 1 (PyTorch raises "Expected more
    // than 1 value per channel when training").
    Status update(const Tensor& batch);
    // Same from per-channel batch statistics (GroupStats of the batch partition: count,
    // mean, biased var). Precondition: stats.size() == channels(), every count >= 2.
    void update_from_stats(const std::vector<GroupStats>& stats);

    int64_t channels() const { return static_cast<int64_t>(mean_.size()); }
    std::optional<double> momentum() const { return momentum_; }
    int64_t batches_tracked() const { return batches_tracked_; }
    const std::vector<double>& mean() const { return mean_; }  // C values
    const std::vector<double>& var() const { return var_; }    // C values, unbiased

    // Per-channel GroupStats for normalize_into with the batch partition in eval mode:
    // mean and var are the running ones, count 0 (no value of the batch is pooled), mean_sq
    // NaN (BatchNorm is centred; not used).
    std::vector<GroupStats> as_group_stats() const;

private:
    std::optional<double> momentum_;
    std::vector<double> mean_;
    std::vector<double> var_;
    int64_t batches_tracked_ = 0;
};

// Eval-mode BatchNorm of `input`: y = (x - running_mean[c]) / sqrt(running_var[c] + eps),
// then gamma[c], beta[c]; in double, rounded once to float. Works for any batch, N = 1 and
// H = W = 1 included. Errors: input's C differs from running.channels().
// Precondition: eps >= 0, affine sizes 0 or C.
Result<Tensor> normalize_eval(const Tensor& input, const RunningStats& running, double eps = 1e-5,
                              const Affine& affine = {});

// How one batch's train-mode output (batch statistics) differs from its eval-mode output
// (running statistics), both computed in double without rounding to float.
struct TrainEvalGap {
    double max_abs_diff = 0;              // max over elements of |y_train - y_eval| (NaN if any is NaN)
    Index where;                          // the first element that attains it
    std::vector<GroupStats> batch_stats;  // per channel, what train mode pools
};

// TrainEvalGap of `batch` against `running` (which is not updated). Errors: C differs from
// running.channels(); N*H*W == 1 (train mode cannot run, as in PyTorch).
// Precondition: eps >= 0, affine sizes 0 or C.
Result<TrainEvalGap> train_eval_gap(const Tensor& batch, const RunningStats& running, double eps = 1e-5,
                                    const Affine& affine = {});

}  // namespace normviz::core
