// Draws the cube view (app/view/cube_geometry.h) into off-screen canvases, one per norm,
// with the cube_view shaders: the focus group as instanced voxels, the shell as one quad per
// block side, no vertex buffers, 4x multisampling. Voxel colours are computed and uploaded
// once per tensor, statistics and colour settings (binned when the tensor is large); a focus
// or camera change sets uniforms only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "app/render/gl_objects.h"
#include "app/view/colormap.h"
#include "app/view/cube_camera.h"
#include "app/view/cube_geometry.h"
#include "core/partition.h"
#include "core/stats.h"
#include "core/tensor.h"

namespace normviz::app {

// What one cube shows.
struct CubeParams {
    CubeGeometry geometry;
    CubeView view;
    core::Partition partition;
    core::Index focus;
    bool has_focus = true;
    bool show_normalized = false;
    float center = 0, half_range = 1;  // raw values colour as (x - center) / half_range
    float normalized_half_range = 3;
    float outline_px = 2;
    Palette palette = Palette::BlueRed;
};

class CubeRenderer {
public:
    // Compiles the embedded cube_view shaders. Needs a current GL 3.3 core context.
    static core::Result<std::unique_ptr<CubeRenderer>> create();
    ~CubeRenderer();
    CubeRenderer(const CubeRenderer&) = delete;
    CubeRenderer& operator=(const CubeRenderer&) = delete;

    // Keeps the voxel values of `tensor` under `geometry`'s bins unless they are there (the
    // colours made from them are uploaded by draw).
    void ensure_values(const core::Tensor& tensor, uint64_t version, const CubeGeometry& geometry);
    // Keeps each group's normalization transform for canvas `slot` unless `version` is there.
    void ensure_group_stats(int slot, const std::vector<core::GroupStats>& stats, bool centered, double eps,
                            uint64_t version);
    // Draws cube `slot` at width x height pixels; returns its colour texture (bottom row first).
    // Skips the draw when nothing changed. Sets the GL state it needs and leaves depth test and
    // blending off and the default framebuffer bound.
    GLuint draw(int slot, const CubeParams& params, int width, int height);
    // Frees the cube canvases not used since the last call (TensorRenderer::release_undrawn);
    // returns how many are kept.
    int release_undrawn();

private:
    struct Canvas;
    struct Uniforms;
    CubeRenderer();
    Canvas& canvas(int slot);
    // Recomputes and uploads the canvas's voxel colours when values, statistics or colour
    // settings changed (never for a focus or camera change).
    void ensure_colors(Canvas& c, const CubeParams& p);

    Program program_;
    VertexArray empty_vao_;
    std::vector<float> values_;  // per voxel (bin means), coloured per cube by ensure_colors
    uint64_t values_version_ = ~uint64_t{0};
    std::array<int64_t, 4> values_bins_{0, 0, 0, 0};
    int samples_ = 0;
    std::vector<std::unique_ptr<Canvas>> canvases_;
    std::unique_ptr<Uniforms> uniforms_;
};

}  // namespace normviz::app
