// Where each cell of an (N, C, H, W) tensor sits in the grid picture, in world units of one
// cell: one block per sample stacked downwards, one H x W tile per channel inside it, tiles
// wrapped into rows. Pure math shared by click handling, labels, tests and (mirrored in
// GLSL) the tensor_view shader.
#pragma once

#include <cstdint>
#include <optional>

#include "core/shape.h"

namespace normviz::app {

struct Vec2 {
    float x = 0, y = 0;
};

struct GridLayout {
    core::Shape shape;
    int64_t tiles_per_row = 1;   // channel tiles side by side in a sample block
    int64_t blocks_per_row = 1;  // sample blocks side by side
    float tile_gap = 1;         // world units between channel tiles
    float sample_gap = 2;       // world units between sample blocks

    int64_t tile_rows() const { return (shape.C + tiles_per_row - 1) / tiles_per_row; }
    float block_width() const { return tiles_per_row * (shape.W + tile_gap) - tile_gap; }
    float block_height() const { return tile_rows() * (shape.H + tile_gap) - tile_gap; }
    int64_t block_rows() const { return (shape.N + blocks_per_row - 1) / blocks_per_row; }
    float width() const { return blocks_per_row * (block_width() + sample_gap) - sample_gap; }
    float height() const { return block_rows() * (block_height() + sample_gap) - sample_gap; }
};

// The layout normviz uses for `shape`: all channels in one row up to 8, else a square-ish
// tile grid; samples in one column while that keeps the picture wider than tall, else a
// square-ish grid of blocks; gaps that scale with the tile size.
GridLayout make_grid_layout(const core::Shape& shape);

// The cell under world point p, or nothing over a gap or outside the picture.
std::optional<core::Index> cell_at(const GridLayout& layout, Vec2 p);
// Top-left corner of a cell in world units (the cell spans one unit each way).
Vec2 cell_origin(const GridLayout& layout, const core::Index& index);
// Top-left corner of a channel tile and of a sample block.
Vec2 tile_origin(const GridLayout& layout, int64_t n, int64_t c);
Vec2 block_origin(const GridLayout& layout, int64_t n);

// Pixels of a panel <-> world: screen = origin + (world - pan) * zoom.
struct ViewTransform {
    Vec2 origin;    // panel's top-left corner on the screen, pixels
    Vec2 pan;       // world point shown at the panel's top-left corner
    float zoom = 1; // pixels per world unit (per cell)

    Vec2 to_screen(Vec2 world) const {
        return {origin.x + (world.x - pan.x) * zoom, origin.y + (world.y - pan.y) * zoom};
    }
    Vec2 to_world(Vec2 screen) const {
        return {(screen.x - origin.x) / zoom + pan.x, (screen.y - origin.y) / zoom + pan.y};
    }
};

// Zoom and pan that fit the whole layout into a panel of `size` pixels, leaving `margin`
// pixels on the left and top for axis labels (and a few on the other sides).
ViewTransform fit_view(const GridLayout& layout, Vec2 origin, Vec2 size, Vec2 margin);

// Zooms by `factor` keeping the world point under `screen_anchor` fixed; zoom stays in
// [min_zoom, max_zoom].
ViewTransform zoom_about(const ViewTransform& view, float factor, Vec2 screen_anchor,
                         float min_zoom, float max_zoom);

}  // namespace normviz::app
