#include "app/state/train_actions.h"

#include <algorithm>
#include <filesystem>

#include "app/model/paths.h"
#include "core/npy.h"

namespace normviz::app {

namespace {

constexpr TrainNormChoice kChoices[] = {
    {"none", std::nullopt},
    {"BatchNorm", core::NormKind::Batch},
    {"LayerNorm", core::NormKind::Layer},
    {"InstanceNorm", core::NormKind::Instance},
    {"GroupNorm", core::NormKind::Group},
    {"LayerNorm (token)", core::NormKind::LayerToken},
    {"RMSNorm", core::NormKind::Rms},
};

}  // namespace

std::span<const TrainNormChoice> train_norm_choices() { return kChoices; }

core::train::TrainConfig train_config_of(const TrainWindow& w) {
    core::train::TrainConfig config;
    const TrainNormChoice& choice = kChoices[std::clamp(w.norm, 0, static_cast<int>(std::size(kChoices)) - 1)];
    if (choice.kind) {
        core::NormSpec spec;
        spec.kind = *choice.kind;
        if (spec.kind == core::NormKind::Group) spec.groups = w.groups;
        config.norm = spec;
    }
    config.batch = w.batch;
    config.epochs = w.epochs;
    config.base_lr = w.lr;
    config.data.train_count = w.images;
    config.threads = 1;  // one core for training, the other for the window
    return config;
}

bool start_training(AppState& state) {
    TrainWindow& w = state.train;
    const core::train::TrainConfig config = train_config_of(w);
    std::string label = core::train::train_norm_name(config.norm);
    if (config.norm && config.norm->kind == core::NormKind::Group) label += " G=" + std::to_string(config.norm->groups);
    label += ", batch " + std::to_string(config.batch);
    if (core::Status ok = w.worker->start(config, label); !ok) {
        w.error = ok.error().message;
        return false;
    }
    w.error.clear();
    return true;
}

bool start_training_sweep(AppState& state) {
    TrainWindow& w = state.train;
    const core::train::TrainConfig config = train_config_of(w);
    if (core::Status ok = w.worker->start_sweep(config, core::train::default_sweep_jobs(w.groups)); !ok) {
        w.error = ok.error().message;
        return false;
    }
    w.error.clear();
    return true;
}

bool load_sweep_csv(AppState& state, const std::string& path) {
    TrainWindow& w = state.train;
    if (path.empty()) {
        w.error = "type the path of a sweep CSV (normviz train --sweep --csv FILE) first";
        return false;
    }
    core::Result<SweepTable> table = read_sweep_csv(path);
    core::Status ok = table ? w.worker->set_sweep(std::move(table.value()), path) : core::Status(table.error());
    if (!ok) {
        w.error = ok.error().message;
        return false;
    }
    w.error.clear();
    return true;
}

bool show_trained_activations(AppState& state, int layer) {
    TrainWindow& w = state.train;
    const std::vector<TrainRun> runs = w.worker->runs();
    auto it = std::find_if(runs.rbegin(), runs.rend(), [](const TrainRun& r) { return r.finished && r.network; });
    const auto held_out = w.worker->held_out();
    if (it == runs.rend() || !held_out) {
        w.error = "no finished run yet: Run (or Stop) one first";
        return false;
    }
    layer = std::clamp(layer, 0, core::train::kConvLayers - 1);
    core::train::Network& net = *it->network;
    const int64_t count = std::min<int64_t>(it->config.batch, held_out->count);
    std::vector<int64_t> indices(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) indices[static_cast<size_t>(i)] = i;
    core::train::Act images, logits;
    std::vector<int> labels;
    core::train::gather_batch(*held_out, indices, images, labels);
    if (core::Status ok = net.forward(images, logits, /*training=*/false, 1); !ok) {
        w.error = ok.error().message;
        return false;
    }
    const core::train::Act& act = net.norm_input(layer);
    core::Tensor tensor = core::make_tensor(act.shape);
    tensor.data = act.v;
    const std::string path =
        (std::filesystem::path(cache_folder()) / ("trained-layer" + std::to_string(layer + 1) + ".npy")).string();
    if (core::Status ok = core::write_npy(path, tensor); !ok) {
        w.error = ok.error().message;
        return false;
    }
    if (!load_tensor_file(state, path)) {
        w.error = state.message;
        return false;
    }
    // BatchNorm's running statistics of this layer, for eval mode (other norms keep none).
    core::train::NormLayer* norm = net.norm(layer);
    if (norm && norm->has_running_stats()) {
        core::BatchNormBuffers buffers;
        buffers.running_mean = norm->running_mean;
        buffers.running_var = norm->running_var;
        buffers.affine.gamma = norm->gamma.value;
        buffers.affine.beta = norm->beta.value;
        buffers.prefix = it->label + ", block " + std::to_string(layer + 1);
        state.running = std::move(buffers);
        ++state.running_version;
    }
    set_message(state,
                "showing block " + std::to_string(layer + 1) + "'s norm input of the trained network (" + it->label +
                    "): " + std::to_string(count) + " held-out images, " + path,
                false);
    w.error.clear();
    return true;
}

}  // namespace normviz::app
