// Where each cell of an (N, C, H, W) tensor sits in the grid picture, in world units of one
// cell: one block per sample stacked downwards, one H x W tile per channel inside it, tiles
// wrapped into rows. Pure math shared by click handling, labels, tests and (mirrored in
// GLSL) the tensor_view shader.
#pragma once

#include <cstdint>
#include <optional>

#include "core/partition.h"
#include "core/shape.h"

namespace normviz::app {

struct Vec2 {
    float x = 0, y = 0;
};

struct GridLayout {
    core::Shape shape;
    int64_t tiles_per_row = 1;   // channel tiles side by side in a sample block
    int64_t blocks_per_row = 1;  // sample blocks side by side
    float tile_gap = 1;          // world units between channel tiles
    float sample_gap = 2;        // world units between sample blocks

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

// The layout a canvas of `size` pixels draws (fit with fit_view's `margin`): make_grid_layout's
// tiles, with the blocks per row that give the largest cells in this canvas's shape, and,
// when blocks sit side by side, a sample gap wide enough for a label `label_px` pixels tall
// below each block (a sample's "n=" label must not disappear with large presenter text; the
// caller keeps label_px + 2 pixels free under the picture for the last row's). Depends only
// on its arguments, so the same canvas keeps the same layout from frame to frame.
GridLayout fit_grid_layout(const core::Shape& shape, Vec2 size, Vec2 margin, float label_px);

// The cell under world point p, or nothing over a gap or outside the picture.
std::optional<core::Index> cell_at(const GridLayout& layout, Vec2 p);
// The cell nearest to world point p (Euclidean distance to the cell's square) when p lies
// inside the picture's bounding box: the cell under p, or for a point in a gap between tiles
// or blocks, or in an empty slot of the last tile or block row, the closest cell around it
// (ties: the first in memory order). Nothing outside the bounding box (or for NaN).
std::optional<core::Index> nearest_cell(const GridLayout& layout, Vec2 p);
// Top-left corner of a cell in world units (the cell spans one unit each way).
Vec2 cell_origin(const GridLayout& layout, const core::Index& index);
// A box of cells: lo.a <= i.a < hi.a on each axis a. A group is one (its key times the
// partition's blocks, one block long on each axis).
struct CellBox {
    core::Index lo, hi;
};
// The cells of the group that holds `focus`.
CellBox group_box(const core::Partition& partition, const core::Index& focus);
// Whether the world rectangle [a, b) overlaps a cell of `box`, in constant time: exact while
// the rectangle spans at most 4 x 4 sample blocks; beyond that (blocks smaller than a quarter
// of it), whether it reaches a block of the box's samples. The tensor_view shader mirrors it
// to mark a group whose cells are smaller than a pixel, with the rectangle a pixel's footprint.
bool box_in_rect(const GridLayout& layout, const CellBox& box, Vec2 a, Vec2 b);
// Blocks (or a block's tiles) in a grid of columns and rows: those in columns col0..col1 and
// rows row0..row1 (inclusive; none when col0 > col1 or row0 > row1). Item (row, col) is
// number row * per_row + col, which may be past the last item in a partial last row.
struct GridSpan {
    int64_t col0 = 0, col1 = -1, row0 = 0, row1 = -1;
    bool empty() const { return col0 > col1 || row0 > row1; }
};
// The sample blocks that overlap world rectangle [a, b), and the channel tiles of block n
// that do: what labels and numbers need to visit, so that their cost follows the view, not
// N x C.
GridSpan blocks_in_rect(const GridLayout& layout, Vec2 a, Vec2 b);
GridSpan tiles_in_rect(const GridLayout& layout, int64_t n, Vec2 a, Vec2 b);
// Top-left corner of a channel tile and of a sample block.
Vec2 tile_origin(const GridLayout& layout, int64_t n, int64_t c);
Vec2 block_origin(const GridLayout& layout, int64_t n);

// Pixels of a panel <-> world: screen = origin + (world - pan) * zoom.
struct ViewTransform {
    Vec2 origin;     // panel's top-left corner on the screen, pixels
    Vec2 pan;        // world point shown at the panel's top-left corner
    float zoom = 1;  // pixels per world unit (per cell)

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
ViewTransform zoom_about(const ViewTransform& view, float factor, Vec2 screen_anchor, float min_zoom, float max_zoom);

}  // namespace normviz::app
