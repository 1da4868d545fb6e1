// Running statistics with PyTorch's update rule (torch/nn/modules/batchnorm.py and ATen's
// batch_norm_cpu_update_stats: unbiased variance, momentum or cumulative average), eval-mode
// normalization with them, and the train-vs-eval gap. See running_stats.h.
#include "core/running_stats.h"

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "core/assert.h"
#include "core/partition.h"

namespace normviz::core {

namespace {

NormSpec batch_spec(double eps) {
    NormSpec spec;
    spec.kind = NormKind::Batch;
    spec.eps = eps;
    return spec;
}

std::string format_number(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

Status check_channels(const Shape& shape, int64_t channels) {
    if (shape.C != channels)
        return make_error("running statistics have " + std::to_string(channels) + " channels, but the batch " +
                          to_string(shape) + " has C = " + std::to_string(shape.C) +
                          "; use a batch with C = " + std::to_string(channels) + " or reset the running statistics");
    return Ok{};
}

Status check_train_batch(const Shape& shape, int64_t channels) {
    if (auto ok = check_channels(shape, channels); !ok) return ok;
    if (shape.N * shape.H * shape.W == 1)
        return make_error("Expected more than 1 value per channel when training, but batch " + to_string(shape) +
                          " has N\u00b7H\u00b7W = 1 (PyTorch raises the same "
                          "error); use a batch of 2 or more, or eval mode (running statistics)");
    return Ok{};
}

void check_affine(const Affine& affine, int64_t channels) {
    NORMVIZ_ASSERT(affine.gamma.empty() || static_cast<int64_t>(affine.gamma.size()) == channels,
                   "gamma must have C values");
    NORMVIZ_ASSERT(affine.beta.empty() || static_cast<int64_t>(affine.beta.size()) == channels,
                   "beta must have C values");
}

}  // namespace

Status validate_momentum(std::optional<double> momentum) {
    if (momentum && !(std::isfinite(*momentum) && *momentum >= 0 && *momentum <= 1))
        return make_error("momentum must be a number in [0, 1], got " + format_number(*momentum) +
                          "; use 0.1 (PyTorch's default), or None for a cumulative average");
    return Ok{};
}

RunningStats::RunningStats(int64_t channels, std::optional<double> momentum)
    : momentum_(momentum), mean_(static_cast<size_t>(channels), 0.0), var_(static_cast<size_t>(channels), 1.0) {
    NORMVIZ_ASSERT(channels >= 1, "running statistics need at least one channel");
    NORMVIZ_ASSERT(validate_momentum(momentum).ok(), "momentum not validated");
}

RunningStats::RunningStats(std::vector<double> mean, std::vector<double> var, std::optional<double> momentum)
    : momentum_(momentum), mean_(std::move(mean)), var_(std::move(var)) {
    NORMVIZ_ASSERT(!mean_.empty() && mean_.size() == var_.size(), "one mean and var per channel");
    NORMVIZ_ASSERT(validate_momentum(momentum).ok(), "momentum not validated");
}

Status RunningStats::update(const Tensor& batch) {
    if (auto ok = check_train_batch(batch.shape, channels()); !ok) return ok;
    update_from_stats(compute_group_stats(batch, make_partition(batch_spec(1e-5), batch.shape)));
    return Ok{};
}

void RunningStats::update_from_stats(const std::vector<GroupStats>& stats) {
    NORMVIZ_ASSERT(static_cast<int64_t>(stats.size()) == channels(), "one GroupStats per channel");
    ++batches_tracked_;
    const double a = momentum_ ? *momentum_ : 1.0 / static_cast<double>(batches_tracked_);
    for (size_t c = 0; c < stats.size(); ++c) {
        NORMVIZ_ASSERT(stats[c].count >= 2, "the unbiased variance needs two or more values");
        const double n = static_cast<double>(stats[c].count);
        const double unbiased = stats[c].var * n / (n - 1.0);
        mean_[c] = (1.0 - a) * mean_[c] + a * stats[c].mean;
        var_[c] = (1.0 - a) * var_[c] + a * unbiased;
    }
}

std::vector<GroupStats> RunningStats::as_group_stats() const {
    std::vector<GroupStats> out(mean_.size());
    for (size_t c = 0; c < out.size(); ++c) out[c] = {0, mean_[c], var_[c], std::numeric_limits<double>::quiet_NaN()};
    return out;
}

Result<Tensor> normalize_eval(const Tensor& input, const RunningStats& running, double eps, const Affine& affine) {
    if (auto ok = check_channels(input.shape, running.channels()); !ok) return ok.error();
    NORMVIZ_ASSERT(eps >= 0, "eps must be >= 0");
    check_affine(affine, running.channels());
    Tensor out;
    normalize_into(input, batch_spec(eps), make_partition(batch_spec(eps), input.shape), running.as_group_stats(),
                   affine, out);
    return out;
}

Result<TrainEvalGap> train_eval_gap(const Tensor& batch, const RunningStats& running, double eps,
                                    const Affine& affine) {
    if (auto ok = check_train_batch(batch.shape, running.channels()); !ok) return ok.error();
    NORMVIZ_ASSERT(eps >= 0, "eps must be >= 0");
    check_affine(affine, running.channels());
    TrainEvalGap gap;
    gap.batch_stats = compute_group_stats(batch, make_partition(batch_spec(eps), batch.shape));
    const std::vector<GroupStats> eval = running.as_group_stats();
    const Shape& s = batch.shape;
    for (int64_t f = 0; f < s.numel() && !std::isnan(gap.max_abs_diff); ++f) {
        const Index i = unflat_index(s, f);
        const size_t c = static_cast<size_t>(i.c);
        const double x = batch.data[static_cast<size_t>(f)];
        const double gamma = affine.gamma.empty() ? 1.0 : affine.gamma[c];
        const double train = normalize_value(x, gap.batch_stats[c], true, eps) * gamma;
        const double evaluated = normalize_value(x, eval[c], true, eps) * gamma;
        const double d = std::fabs(train - evaluated);  // beta cancels
        if (f == 0 || std::isnan(d) || d > gap.max_abs_diff) gap.max_abs_diff = d, gap.where = i;
    }
    return gap;
}

}  // namespace normviz::core
