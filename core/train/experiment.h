// Training runs and the batch-size sweep of the training lab, after the Group Normalization
// paper (Wu & He, 2018): the same number of epochs for every batch size, learning rate
// scaled linearly with the batch (lr = base_lr * B / 32), SGD momentum 0.9, weight decay
// 5e-4, cosine decay to 0 over the run; BatchNorm evaluated in eval mode (running stats).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/norm_spec.h"
#include "core/result.h"
#include "core/train/dataset.h"
#include "core/train/network.h"
#include "core/train/sgd.h"

namespace normviz::core::train {

// Defaults: 4000 images x 5 epochs keeps the default sweep (30 runs) near 280 CPU seconds;
// base lr 0.02 because 0.05 left batch-32 BatchNorm and GroupNorm runs at 0.55-0.73 held-out
// error (seeds 1-3) where 0.02 reaches 0.18-0.53.
struct TrainConfig {
    std::optional<NormSpec> norm;  // nullopt: "none"
    int64_t batch = 32;
    int epochs = 5;
    double base_lr = 0.02;  // at batch 32; the run uses base_lr * batch / 32
    uint64_t seed = 1;      // weights and shuffling; the data has ShapesConfig::seed
    int threads = 1;        // within one run
    std::array<int64_t, 3> widths{8, 16, 32};
    SgdOptions sgd;
    ShapesConfig data{4000, 1000, 16, 1};
    // false: the held-out split only after the last epoch (the sweep; saves its time).
    bool evaluate_every_epoch = true;
};

// Errors of the settings alone: batch < 1 or larger than the train split, epochs < 1, lr not
// a positive finite number, a norm the network cannot use (validate_network).
Status validate_train_config(const TrainConfig& config);

// Name of a norm choice as the CLI spells it: "none", "batch", "group", ...
std::string train_norm_name(const std::optional<NormSpec>& norm);

struct EpochReport {
    int epoch = 0;          // 1-based
    int64_t steps = 0;      // SGD steps so far
    double train_loss = 0;  // mean of the epoch's step losses
    double val_loss = 0;
    double val_error = 0;  // fraction of held-out images misclassified, 0..1
    double seconds = 0;    // since the run began
};

struct TrainResult {
    EpochReport last;
    bool cancelled = false;
    bool diverged = false;  // a loss was not finite; `message` says where
    std::string message;
    // The network as training left it (also when cancelled or diverged): its weights and
    // BatchNorm running statistics, for looking at its activations.
    std::shared_ptr<Network> network;
};

// Loss and error of `net` in eval mode on `data`, in batches of `eval_batch`.
Result<EpochReport> evaluate(Network& net, const Dataset& data, int64_t eval_batch, int threads);

// Trains as above. `progress` (may be empty) is called after each epoch; `cancel` (may be
// null) is polled between steps. Error only for a norm the batch cannot use.
Result<TrainResult> train(const TrainConfig& config, const Dataset& train_set, const Dataset& val_set,
                          const std::function<void(const EpochReport&)>& progress, const std::atomic<bool>* cancel);

// The sweep: every norm of `norms` x every batch of `batches`, the other settings from
// `base`, runs spread over `workers` threads (one thread per run, so each run is the same as
// alone). Results come back in job order: batches outer, norms inner.
struct SweepJob {
    std::optional<NormSpec> norm;
    int64_t batch = 0;
};
struct SweepResult {
    SweepJob job;
    Result<TrainResult> result = make_error("not run");
};
std::vector<SweepJob> default_sweep_jobs(int64_t groups);
// `done` (may be empty) is called, from a worker thread, once per finished run with its job
// index; calls never overlap.
std::vector<SweepResult> run_sweep(const TrainConfig& base, const std::vector<SweepJob>& jobs, int workers,
                                   const std::function<void(size_t, const SweepResult&)>& done,
                                   const std::atomic<bool>* cancel);

}  // namespace normviz::core::train
