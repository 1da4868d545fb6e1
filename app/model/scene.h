// Scene: what the user set up (shape and data, norms compared, G, eps, axes, focus, view,
// teaching scenario, lesson step). Everything else the program shows is derived from it and
// the tensor (app/model/panel_derivation.h). Saved and opened as JSON (app/model/scene_io.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/view/color_scale.h"
#include "app/view/colormap.h"
#include "core/generators.h"
#include "core/layout.h"
#include "core/norm_spec.h"
#include "core/shape.h"

namespace normviz::app {

// How the tensor is drawn: the 2-D grid, or the 3-D cube (N, C, H·W), or the cube with H and
// W apart (a block per sample).
enum class Picture { Grid, Cube, CubeHw };

struct Scene {
    core::Shape shape{4, 6, 4, 4};
    core::Generator generator = core::Generator::PerChannel;
    uint64_t seed = 1;
    std::string data_path;  // non-empty: values were loaded from this file (x.npy, x.npz:NAME, ...)
    // How the file's axes are read (core/layout.h); nullopt: the default of its rank.
    std::optional<core::Layout> layout;
    // A loaded tensor's BatchNorm running statistics: "FILE.safetensors:PREFIX" (or .npz);
    // eval mode on a loaded tensor needs them (core/checkpoint.h).
    std::string running_source;
    // A scene file named a data_file without a shape: the file gives it (and G, focus,
    // devices and lengths are checked against it) when the scene is applied.
    bool shape_from_file = false;
    std::vector<core::NormKind> compared = {core::NormKind::Batch, core::NormKind::Layer,      core::NormKind::Instance,
                                            core::NormKind::Group, core::NormKind::LayerToken, core::NormKind::Rms};
    bool single_view = false;
    core::NormKind single_norm = core::NormKind::Batch;
    int64_t groups = 2;
    double eps = 1e-5;
    core::AxisMask custom_axes = core::axis_bit(core::Axis::N) | core::axis_bit(core::Axis::W);
    bool custom_center = true;
    core::Index focus{1, 2, 1, 2};
    bool show_normalized = false;
    Palette palette = Palette::BlueRed;
    ColorScale color_scale = ColorScale::Symmetric;  // what range raw values' colours span
    // Teaching scenarios (core/scenarios.h). BatchNorm panels split the batch over `devices`
    // shards without sync (1: one device, or SyncBatchNorm); `lengths`: valid length per
    // sample along W, padded positions hold 0 (empty: no padding).
    int64_t devices = 1;
    std::vector<int64_t> lengths;
    // BatchNorm panels in eval mode: each value is normalized with running statistics, so no
    // value of this batch is pooled. A generated tensor simulates them from its generator's
    // training stream (core/batch_stream.h, eval_running_stats); a loaded one needs
    // running_source.
    bool batchnorm_eval = false;
    // The lesson this scene is a step of (app/classroom/lessons.h); empty when none.
    std::string lesson_id;
    int lesson_step = 0;
    // The picture a scene file asks for (grid or cube); opening it switches the view, and
    // saving writes the view on screen. Absent (lesson steps, older files): the view stays.
    std::optional<Picture> picture;
};

}  // namespace normviz::app
