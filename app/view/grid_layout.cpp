// Grid layout math; the tensor_view fragment shader mirrors cell_at exactly.
#include "app/view/grid_layout.h"

#include <algorithm>
#include <cmath>

namespace normviz::app {

GridLayout make_grid_layout(const core::Shape& shape) {
    GridLayout l;
    l.shape = shape;
    l.tiles_per_row = shape.C <= 8 ? shape.C : static_cast<int64_t>(std::ceil(std::sqrt(double(shape.C))));
    float tile = static_cast<float>(std::min(shape.H, shape.W));
    l.tile_gap = std::max(0.5f, std::round(tile * 0.15f * 2.0f) / 2.0f);
    l.sample_gap = l.tile_gap * 2.0f;
    // Blocks per row so that the whole picture is about as wide as it is tall.
    const double ratio = (l.block_height() + l.sample_gap) / (l.block_width() + l.sample_gap);
    l.blocks_per_row = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(std::sqrt(shape.N * ratio) - 1e-9)),
                                           1, shape.N);
    if (l.blocks_per_row > 1) l.blocks_per_row = (shape.N + l.block_rows() - 1) / l.block_rows();
    return l;
}

std::optional<core::Index> cell_at(const GridLayout& l, Vec2 p) {
    // Written so that NaN fails too (a NaN or huge p would reach a float-to-int64 cast, which
    // is undefined behaviour); inside the picture the result is unchanged.
    if (!(p.x >= 0 && p.y >= 0 && p.x < l.width() && p.y < l.height())) return std::nullopt;
    const core::Shape& s = l.shape;
    const float block_pitch_x = l.block_width() + l.sample_gap;
    const float block_pitch_y = l.block_height() + l.sample_gap;
    const int64_t block_col = static_cast<int64_t>(std::floor(p.x / block_pitch_x));
    const int64_t block_row = static_cast<int64_t>(std::floor(p.y / block_pitch_y));
    if (block_col >= l.blocks_per_row) return std::nullopt;
    const int64_t n = block_row * l.blocks_per_row + block_col;
    if (n >= s.N) return std::nullopt;
    const float xb = p.x - block_col * block_pitch_x, yb = p.y - block_row * block_pitch_y;
    const float tile_pitch_x = s.W + l.tile_gap, tile_pitch_y = s.H + l.tile_gap;
    const int64_t col = static_cast<int64_t>(std::floor(xb / tile_pitch_x));
    const int64_t row = static_cast<int64_t>(std::floor(yb / tile_pitch_y));
    if (col >= l.tiles_per_row || row >= l.tile_rows()) return std::nullopt;
    const float xt = xb - col * tile_pitch_x, yt = yb - row * tile_pitch_y;
    if (xt >= s.W || yt >= s.H) return std::nullopt;
    const int64_t c = row * l.tiles_per_row + col;
    if (c >= s.C) return std::nullopt;
    return core::Index{n, c, static_cast<int64_t>(yt), static_cast<int64_t>(xt)};
}

Vec2 block_origin(const GridLayout& l, int64_t n) {
    return {(n % l.blocks_per_row) * (l.block_width() + l.sample_gap),
            (n / l.blocks_per_row) * (l.block_height() + l.sample_gap)};
}

Vec2 tile_origin(const GridLayout& l, int64_t n, int64_t c) {
    Vec2 b = block_origin(l, n);
    const int64_t col = c % l.tiles_per_row, row = c / l.tiles_per_row;
    return {b.x + col * (l.shape.W + l.tile_gap), b.y + row * (l.shape.H + l.tile_gap)};
}

Vec2 cell_origin(const GridLayout& l, const core::Index& i) {
    Vec2 t = tile_origin(l, i.n, i.c);
    return {t.x + i.w, t.y + i.h};
}

ViewTransform fit_view(const GridLayout& l, Vec2 origin, Vec2 size, Vec2 margin) {
    const float pad = 4.0f;
    const float avail_w = std::max(1.0f, size.x - margin.x - pad);
    const float avail_h = std::max(1.0f, size.y - margin.y - pad);
    ViewTransform v;
    v.origin = origin;
    v.zoom = std::max(1e-3f, std::min(avail_w / l.width(), avail_h / l.height()));
    v.pan = {-margin.x / v.zoom, -margin.y / v.zoom};
    return v;
}

ViewTransform zoom_about(const ViewTransform& view, float factor, Vec2 anchor, float min_zoom,
                         float max_zoom) {
    ViewTransform v = view;
    Vec2 world = view.to_world(anchor);
    v.zoom = std::clamp(view.zoom * factor, min_zoom, max_zoom);
    v.pan = {world.x - (anchor.x - v.origin.x) / v.zoom, world.y - (anchor.y - v.origin.y) / v.zoom};
    return v;
}

}  // namespace normviz::app
