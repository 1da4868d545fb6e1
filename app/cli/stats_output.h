// Machine-readable output of `normviz stats`: one record per group, as JSON or CSV.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "core/layout.h"
#include "core/norm_spec.h"
#include "core/partition.h"
#include "core/stats.h"

namespace normviz::app::cli {

// One axis of a group's key: its position in NCHW and its name in the output. The key holds
// the axes the norm keeps ("n", "c", "h", "w"); GroupNorm's C is named "g" (its value is
// the group index c / (C / G)). A norm that reduces every axis has an empty key. Arrays of
// rank 3 (NCL, NLC) name their sequence axis "l" and have no "h"; rank 2 (NC) has neither.
struct KeyAxis {
    core::Axis axis;
    std::string name;
};
std::vector<KeyAxis> key_axes(const core::NormSpec& spec, core::Layout layout);

// How the statistics were obtained, for the JSON output.
struct StatsSource {
    core::Layout layout = core::Layout::NCHW;
    std::string reading;     // core::describe_reading of the input
    bool eval_mode = false;  // --running: the checkpoint's running statistics (count 0)
    std::string running;     // the --running source
    std::string lengths;     // --lengths as given, "" when not masked
    // NaN, +Inf and -Inf values of the input (train mode; eval mode pools none of them).
    int64_t nan = 0, pos_inf = 0, neg_inf = 0;
};

// Writes {"norm", "spec", "shape", "layout", "read", "mode" ("train" or "eval"), "running"
// (eval only), "lengths" (masked only), "eps", "description", "non_finite_values" (train only:
// {"nan", "inf", "-inf"}, counts of the input's values), "groups": [{"key": {...}, "count",
// "mean", "var", "mean_sq"}, ...]} with groups in group order (Partition::group_of). Numbers
// are the shortest text that reads back to the same double; NaN and +-Inf are null.
// Precondition: stats come from compute_group_stats(tensor, partition) and spec made it.
void write_stats_json(std::FILE* out, const core::NormSpec& spec, const core::Partition& partition,
                      const std::vector<core::GroupStats>& stats, const StatsSource& source);

// Writes a header ("n,g,count,mean,var,mean_sq": the key axes, then the statistics) and one
// row per group in group order. Numbers as in JSON; NaN and +-Inf as nan, inf, -inf.
void write_stats_csv(std::FILE* out, const core::NormSpec& spec, const core::Partition& partition,
                     const std::vector<core::GroupStats>& stats, core::Layout layout);

}  // namespace normviz::app::cli
