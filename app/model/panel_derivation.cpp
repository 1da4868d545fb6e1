#include "app/model/panel_derivation.h"

#include "core/batch_stream.h"
#include "core/scenarios.h"

namespace normviz::app {

core::NormSpec spec_for(const Scene& scene, core::NormKind kind) {
    core::NormSpec spec;
    spec.kind = kind;
    if (kind == core::NormKind::Group) spec.groups = scene.groups;
    if (kind == core::NormKind::Custom) {
        spec.custom_axes = scene.custom_axes;
        spec.custom_center = scene.custom_center;
    }
    spec.eps = scene.eps;
    return spec;
}

std::vector<core::NormKind> shown_norms(const Scene& scene) {
    if (scene.single_view) return {scene.single_norm};
    return scene.compared;
}

std::vector<core::NormSpec> shown_specs(const Scene& scene) {
    std::vector<core::NormSpec> specs;
    for (core::NormKind k : shown_norms(scene)) specs.push_back(spec_for(scene, k));
    return specs;
}

core::Partition partition_for(const Scene& scene, const core::NormSpec& spec, const core::Shape& shape) {
    if (spec.kind == core::NormKind::Batch && scene.devices > 1 && core::validate_batch_split(shape, scene.devices))
        return core::make_device_partition(shape, scene.devices);
    return core::make_partition(spec, shape);
}

core::Tensor generate_scene_tensor(const Scene& scene) {
    core::Tensor t = core::generate(scene.shape, scene.generator, scene.seed);
    if (!scene.lengths.empty() && core::validate_lengths(t.shape, scene.lengths))
        core::fill_padding(t, scene.lengths, 0.0f);
    return t;
}

namespace {

// Eval mode: one group per channel (no device shards: nothing of the batch is pooled),
// normalized with running statistics.
void derive_eval_panel(const Scene& scene, const core::Tensor& tensor, const core::BatchNormBuffers* running,
                       PanelStats& p) {
    p.partition = core::make_partition(p.spec, tensor.shape);
    p.has_partition = true;
    if (!scene.data_path.empty()) {
        // A loaded tensor has no training stream to simulate them from: only the model's own
        // running statistics are true to it.
        if (running == nullptr) {
            p.error = kEvalNeedsRunningStats;
            return;
        }
        if (auto fit = core::check_buffers_fit(*running, tensor.shape.C); !fit) {
            p.error = "eval mode: " + fit.error().message;
            return;
        }
        p.stats = core::running_stats_from(*running).as_group_stats();
        p.running_prefix = running->prefix;
        return;
    }
    auto simulated = core::eval_running_stats(tensor.shape, scene.generator, scene.seed);
    if (!simulated) {
        p.error = "eval mode: " + simulated.error().message;
        return;
    }
    p.stats = simulated.value().running.as_group_stats();
    p.running_batches = simulated.value().batches;
}

}  // namespace

PanelStats derive_panel(const Scene& scene, const core::Tensor& tensor, const core::NormSpec& spec,
                        const core::BatchNormBuffers* running) {
    PanelStats p;
    p.spec = spec;
    p.eval_mode = scene.batchnorm_eval && spec.kind == core::NormKind::Batch;
    auto ok = core::validate(spec, tensor.shape);
    if (!ok) {
        p.error = ok.error().message;
        // Still partition what can be partitioned, so the picture shows the groups (and the
        // statistics explain themselves, e.g. BatchNorm's one value per channel).
        const bool partitionable =
            spec.kind != core::NormKind::Group && (core::reduced_axes(spec) & core::kAllAxes) != 0;
        if (!partitionable) return p;
    } else if (p.eval_mode) {
        derive_eval_panel(scene, tensor, running, p);
        return p;
    }
    p.partition = partition_for(scene, spec, tensor.shape);
    p.has_partition = true;
    p.stats = core::compute_group_stats(tensor, p.partition);
    return p;
}

}  // namespace normviz::app
