// The one derivation: what a norm panel shows (its partition and each group's statistics) as
// a pure function of the scene and the tensor. The frame (update_derived) and the worker
// thread (a large tensor generated or loaded off the frame) both call it, so the two paths
// cannot disagree about device splits, padding or eval mode.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/model/scene.h"
#include "core/checkpoint.h"
#include "core/norm_spec.h"
#include "core/partition.h"
#include "core/stats.h"
#include "core/tensor.h"

namespace normviz::app {

// Why an eval-mode BatchNorm panel of a loaded tensor shows nothing until running statistics
// are loaded.
inline constexpr const char* kEvalNeedsRunningStats =
    "eval mode needs this model's running statistics: load a BatchNorm layer's running_mean "
    "and running_var from its checkpoint (Running statistics in the sidebar, or --running "
    "FILE.safetensors:PREFIX); a loaded tensor has no training stream to simulate them from";

// The NormSpec of `kind` with the scene's G, axes, centering and eps (only the fields the
// kind uses, so that specs compare equal when an unrelated control such as G changes).
core::NormSpec spec_for(const Scene& scene, core::NormKind kind);
// Norms shown now: the compared list, or the single one.
std::vector<core::NormKind> shown_norms(const Scene& scene);
// spec_for each of shown_norms, in order: one per panel.
std::vector<core::NormSpec> shown_specs(const Scene& scene);
// The partition a panel of `spec` shows: BatchNorm split over scene.devices shards without
// sync when devices > 1 fits the shape (core/scenarios.h), else make_partition.
// Precondition: validate(spec, shape) passed, or the spec is partitionable.
core::Partition partition_for(const Scene& scene, const core::NormSpec& spec, const core::Shape& shape);

// The scene's generated tensor: its generator's values, and 0 at padded positions when the
// scene pads its samples (Scene::lengths).
core::Tensor generate_scene_tensor(const Scene& scene);

// What one panel shows.
struct PanelStats {
    core::NormSpec spec;
    std::string error;           // why the norm does not apply (validate, eval mode); "" when it does
    bool has_partition = false;  // the groups can be drawn (also for some errors)
    core::Partition partition;
    std::vector<core::GroupStats> stats;  // per group; empty when the norm does not apply
    // BatchNorm in eval mode: `stats` are running statistics per channel (count 0: no value
    // of the batch is pooled), tracked over `running_batches` simulated training batches, or
    // read from the checkpoint layer `running_prefix`.
    bool eval_mode = false;
    int running_batches = 0;
    std::string running_prefix;
};

// The panel of `spec` for `tensor` under `scene` (devices, eval mode, data source).
// `running`: a loaded tensor's checkpoint buffers for eval mode (nullptr: none loaded).
PanelStats derive_panel(const Scene& scene, const core::Tensor& tensor, const core::NormSpec& spec,
                        const core::BatchNormBuffers* running);

}  // namespace normviz::app
