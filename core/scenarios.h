// Teaching scenarios as partitions: BatchNorm split over devices (or micro-batches) without
// sync, and padded sequences with masked statistics. They extend the key or exclude elements
// (docs/ARCHITECTURE.md, "The one idea"); statistics and
// normalization are core's ordinary ones. Running statistics live in running_stats.h.
#pragma once

#include <cstdint>
#include <vector>

#include "core/norm_spec.h"
#include "core/normalize.h"
#include "core/partition.h"
#include "core/result.h"
#include "core/stats.h"
#include "core/tensor.h"

namespace normviz::core {

// ---- Devices (unsynced BatchNorm) and gradient accumulation -------------------------------

// What splits the batch; only the wording of errors differs. Gradient accumulation over M
// micro-batches pools each micro-batch's own samples, exactly as M devices without sync.
enum class BatchSplit { Devices, MicroBatches };

// Errors PyTorch-style for splitting `shape`'s batch into `parts` equal shards: parts < 1,
// N not divisible by parts, and a shard with one value per channel ((N / parts) * H * W == 1,
// where BatchNorm raises in training mode). Precondition: validate_shape(shape) passed.
Status validate_batch_split(const Shape& shape, int64_t parts, BatchSplit split = BatchSplit::Devices);

// BatchNorm on each of `devices` shards of N / devices consecutive samples, without sync: the
// key of (n, c, h, w) is (n / (N / devices), c), i.e. batch's partition with an N block of
// N / devices instead of N. group_of numbers groups device-major: device * C + c.
// devices == 1 is SyncBatchNorm (the plain batch partition); devices == N gives each (n, c)
// its own group (InstanceNorm's partition). Precondition: validate_batch_split passed.
Partition make_device_partition(const Shape& shape, int64_t devices);

// One channel's statistics on every device, and the synced (whole-batch) statistics that
// SyncBatchNorm would use. `mean_spread` is max - min of the per-device means.
struct DeviceChannelStats {
    std::vector<GroupStats> per_device;  // devices entries, device order
    GroupStats synced;
    double mean_spread = 0;
};

// Statistics of channel `channel` per device and synced (compute_group_stats, in double).
// Errors: those of validate_batch_split. Precondition: 0 <= channel < C.
Result<DeviceChannelStats> device_channel_stats(const Tensor& tensor, int64_t devices, int64_t channel);

// Training-mode BatchNorm output of unsynced devices: each shard normalized with its own
// statistics, eps as given (>= 0), optional affine. Errors: those of validate_batch_split.
Result<Tensor> normalize_per_device(const Tensor& tensor, int64_t devices, double eps = 1e-5,
                                    const Affine& affine = {});

// ---- Padding: valid lengths along W, masks, masked statistics -----------------------------

// Errors for per-sample valid lengths along W (sequence positions): lengths.size() != N, or a
// length outside 1..W. Precondition: validate_shape(shape) passed.
Status validate_lengths(const Shape& shape, const std::vector<int64_t>& lengths);

// Per-element mask, NCHW order, 1 where the element counts (w < lengths[n], every c and h),
// 0 at padded positions. Precondition: validate_lengths passed.
std::vector<uint8_t> make_padding_mask(const Shape& shape, const std::vector<int64_t>& lengths);

// Sets every padded element (w >= lengths[n]) to `value`, as a padded batch holds it (often
// 0). Precondition: validate_lengths(tensor.shape, lengths) passed.
void fill_padding(Tensor& tensor, const std::vector<int64_t>& lengths, float value);

// Statistics of every group of `partition` over the elements whose mask is 1 only; the
// excluded elements belong to no group. Counts vary per group. Exact two passes in double
// (sum, then squared deviations from the mean), one thread, elements visited in memory order;
// NaN/Inf propagate within their group as compute_group_stats. A group with no counted
// element has count 0 and NaN mean, var and mean_sq ("the group is empty"): check count
// before showing its numbers. With an all-ones mask the numbers equal compute_group_stats's
// up to rounding. Preconditions: partition.shape == tensor.shape, mask.size() == numel.
std::vector<GroupStats> compute_group_stats_masked(const Tensor& tensor, const Partition& partition,
                                                   const std::vector<uint8_t>& mask);

// Normalizes the counted elements with `stats` (from compute_group_stats_masked), as
// normalize_value in double, rounded once to float, then gamma[c] and beta[c]; excluded
// elements are set to `excluded_value` (models zero padded positions). Preconditions:
// stats.size() == group_count, mask.size() == numel, affine sizes 0 or C, partition.shape ==
// input.shape.
Tensor normalize_masked(const Tensor& input, const NormSpec& spec, const Partition& partition,
                        const std::vector<GroupStats>& stats, const std::vector<uint8_t>& mask,
                        const Affine& affine = {}, float excluded_value = 0.0f);

// Per channel: BatchNorm statistics pooled naively (padded positions included) and masked
// (valid positions only), and how far padding moved them.
struct PaddingEffect {
    GroupStats naive;
    GroupStats masked;
    double mean_shift = 0;  // naive.mean - masked.mean
    double var_ratio = 0;   // naive.var / masked.var (IEEE: Inf or NaN where masked.var == 0)
};

// PaddingEffect for every channel c (index c). Errors: those of validate_lengths.
Result<std::vector<PaddingEffect>> padding_effect(const Tensor& tensor, const std::vector<int64_t>& lengths);

}  // namespace normviz::core
