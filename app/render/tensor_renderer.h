// Draws the tensor grid picture into off-screen canvases with the tensor_view shader. The
// tensor's values are uploaded once per tensor; per canvas only small group statistics are
// uploaded per norm. For a large tensor a new view draws the whole picture and keeps each
// pixel's cell; a focus change sets uniforms and draws the group and focus over the kept
// cells, reading no tensor value.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/render/gl_objects.h"
#include "app/view/color_scale.h"
#include "app/view/colormap.h"
#include "app/view/theme.h"
#include "app/view/grid_layout.h"
#include "core/partition.h"
#include "core/stats.h"
#include "core/tensor.h"

namespace normviz::app {

class CubeRenderer;

// What one canvas shows: layout, view, partition, focus and colouring.
struct CanvasParams {
    GridLayout layout;
    ViewTransform view;  // view.origin is ignored: the canvas's own top-left is (0, 0)
    core::Partition partition;
    core::Index focus;
    bool has_focus = true;
    bool show_group = true;  // false: the focus ring only, no group outlined
    // The group is not pooled but shares frozen running statistics (eval-mode BatchNorm): a
    // dashed cyan outline instead of the highlight.
    bool frozen_group = false;
    bool show_normalized = false;
    float center = 0;      // raw values colour around this value
    float half_range = 1;  // ... spanning +- this
    float normalized_half_range = 3;
    float outline_px = 2;
    Palette palette = Palette::BlueRed;
    // Raw values colour with each channel's own range (ensure_channel_ranges), not center.
    bool per_channel = false;
    // > 0: when cells are smaller than a pixel every cell of the focus's group, `group`, is
    // marked at least this many pixels wide; when they are too small for the focus ring
    // (under 6 pixels), the focus gets a mark around it. 0: neither.
    float mark_px = 0;
    CellBox group;
};

// Tensors of more values than this keep each pixel's cell, so that a focus change draws only
// the group and focus over them; smaller ones are drawn whole every time.
inline constexpr int64_t kKeepCellsAbove = int64_t{1} << 20;

class TensorRenderer {
public:
    // Compiles the embedded shaders. Needs a current GL 3.3 core context.
    static core::Result<std::unique_ptr<TensorRenderer>> create();

    // Uploads the tensor's values (the only tensor-sized upload) unless `version` is the one
    // already uploaded.
    void ensure_values(const core::Tensor& tensor, uint64_t version);
    // Uploads each channel's colour range (a per-channel colour scale) unless `version` is the
    // one already uploaded; all canvases share it.
    void ensure_channel_ranges(const std::vector<ColorRange>& ranges, uint64_t version);
    // Uploads the (shift, scale) of each group for canvas `slot` unless `version` is the one
    // already there.
    void ensure_group_stats(int slot, const std::vector<core::GroupStats>& stats, bool centered, double eps,
                            uint64_t version);
    // Draws canvas `slot` at width x height pixels; returns its colour texture. Skips the
    // draw when nothing it depends on changed since the last one. Sets every piece of GL
    // state it relies on and restores the default framebuffer binding.
    GLuint draw(int slot, const CanvasParams& params, int width, int height);

    // Why the last ensure_values could not upload the values (too many for one texture, or
    // the GPU out of memory); empty when they are there. The canvas shows it instead of cells.
    const std::string& values_error() const { return values_error_; }
    // Bytes of tensor values uploaded so far (a focus change must not add to it).
    size_t uploaded_value_bytes() const { return uploaded_value_bytes_; }

    // The cube view's renderer (app/render/cube_renderer.h), created on first use so it lives
    // inside the window's lifetime like this one; null if its shaders failed, see cube_error().
    // Defined in cube_renderer.cpp.
    CubeRenderer* cube();
    // Frees the canvases (and cube canvases) no draw or ensure_group_stats used since the
    // last call: a view left, or fewer panels, gives back its framebuffers (the cube view's
    // multisampled ones are tens of MB). Called once per window frame, after it is drawn;
    // returns how many of each are kept.
    struct KeptCanvases {
        int grid = 0, cube = 0;
    };
    KeptCanvases release_undrawn();
    const std::string& cube_error() const { return cube_error_; }

private:
    struct Canvas {
        Framebuffer framebuffer;
        Texture color;
        // Kept by a whole-picture pass (a new view or colouring) for the focus-only passes:
        // each pixel's cell colour with its distance to the cell's edge (RGBA32F, so the
        // focus pass blends it exactly as the whole pass did) and its cell (RGBA32I).
        // cells_framebuffer draws into `color`, `cells` and `cell_index` at once.
        Framebuffer cells_framebuffer;
        Texture cells;
        Texture cell_index;
        Texture stats;
        int stats_width = 1;
        int width = 0, height = 0;
        int cells_width = 0, cells_height = 0;  // `cells` and `cell_index`, allocated when kept
        uint64_t stats_version = ~uint64_t{0};
        std::vector<float> last_key;        // uniforms of the last draw; equal key -> skip
        std::vector<float> last_cells_key;  // what the cell colours depend on; equal -> reuse
        bool used = false;                  // since the last release_undrawn
    };
    // cube_->release_undrawn(), where CubeRenderer is complete (cube_renderer.cpp).
    int release_undrawn_cube();
    // Clears every canvas's keys, so that the next draw redraws both passes.
    void forget_drawn();
    struct Uniforms;

    TensorRenderer() = default;
    Canvas& canvas(int slot);

    Program program_;
    VertexArray empty_vao_;
    Texture values_;
    Texture palettes_[2];
    Texture channel_ranges_;
    int channel_ranges_width_ = 1;
    uint64_t channel_ranges_version_ = ~uint64_t{0};
    int values_width_ = 1;
    uint64_t values_version_ = ~uint64_t{0};
    size_t uploaded_value_bytes_ = 0;
    std::string values_error_;
    std::vector<std::unique_ptr<Canvas>> canvases_;
    std::shared_ptr<Uniforms> uniforms_;
    std::shared_ptr<CubeRenderer> cube_;  // shared_ptr: deletable where CubeRenderer is incomplete
    std::string cube_error_;
};

}  // namespace normviz::app
