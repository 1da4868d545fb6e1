// Grid layout math; the tensor_view fragment shader mirrors cell_at exactly.
#include "app/view/grid_layout.h"

#include <algorithm>
#include <cmath>
#include <utility>

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
    l.blocks_per_row =
        std::clamp<int64_t>(static_cast<int64_t>(std::ceil(std::sqrt(shape.N * ratio) - 1e-9)), 1, shape.N);
    if (l.blocks_per_row > 1) l.blocks_per_row = (shape.N + l.block_rows() - 1) / l.block_rows();
    return l;
}

GridLayout fit_grid_layout(const core::Shape& shape, Vec2 size, Vec2 margin, float label_px) {
    const GridLayout base = make_grid_layout(shape);
    // Blocks per row worth trying: every count that makes a different number of block rows
    // (bounded: beyond 512 blocks a row the cells are far below a pixel anyway).
    const int64_t most = std::min<int64_t>(shape.N, 512);
    GridLayout best = base;
    float best_zoom = -1;
    for (int64_t per_row = 1; per_row <= most; ++per_row) {
        GridLayout l = base;
        l.blocks_per_row = per_row;
        if (per_row > 1 && (shape.N + l.block_rows() - 1) / l.block_rows() != per_row) continue;
        // Blocks side by side put their labels below them: room for the last row's too.
        const Vec2 room{size.x, per_row > 1 ? size.y - label_px - 2 : size.y};
        float zoom = fit_view(l, {0, 0}, room, margin).zoom;
        if (l.block_rows() > 1) {
            // Labels sit in the gap below each block: widen it until they fit (the zoom
            // shrinks as the gap grows; a few rounds settle it).
            for (int round = 0; round < 4 && l.sample_gap * zoom < label_px + 2; ++round) {
                l.sample_gap = std::max(l.sample_gap, (label_px + 2) / zoom);
                zoom = fit_view(l, {0, 0}, room, margin).zoom;
            }
        }
        // The usual layout unless another gives clearly larger cells (5 %).
        const float bonus = per_row == base.blocks_per_row ? 1.05f : 1.0f;
        if (zoom * bonus > best_zoom) {
            best_zoom = zoom * bonus;
            best = l;
        }
    }
    return best;
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

std::optional<core::Index> nearest_cell(const GridLayout& l, Vec2 p) {
    if (!(p.x >= 0 && p.y >= 0 && p.x < l.width() && p.y < l.height())) return std::nullopt;
    if (auto under = cell_at(l, p)) return under;
    const core::Shape& s = l.shape;
    // Candidates: the tiles around p in the blocks around p. The nearest cell lies in one of
    // them: every slot of a full row or column of tiles (or blocks) is at most one pitch
    // away, and the row above an empty slot of the last row is always full. The last block
    // and tile stand by for hand-made layouts with fewer items than slots in the first row.
    const float bpx = l.block_width() + l.sample_gap, bpy = l.block_height() + l.sample_gap;
    const float tpx = s.W + l.tile_gap, tpy = s.H + l.tile_gap;
    const int64_t bc0 = std::clamp<int64_t>(static_cast<int64_t>(p.x / bpx), 0, l.blocks_per_row - 1);
    const int64_t br0 = std::clamp<int64_t>(static_cast<int64_t>(p.y / bpy), 0, l.block_rows() - 1);
    std::optional<core::Index> best;
    float best_d = INFINITY;
    auto consider_tile = [&](int64_t n, int64_t c) {
        const Vec2 t = tile_origin(l, n, c);
        const int64_t h = std::clamp<int64_t>(static_cast<int64_t>(std::floor(p.y - t.y)), 0, s.H - 1);
        const int64_t w = std::clamp<int64_t>(static_cast<int64_t>(std::floor(p.x - t.x)), 0, s.W - 1);
        const float dx = std::max({t.x + w - p.x, 0.0f, p.x - (t.x + w + 1)});
        const float dy = std::max({t.y + h - p.y, 0.0f, p.y - (t.y + h + 1)});
        const float d = dx * dx + dy * dy;
        const core::Index i{n, c, h, w};
        if (d < best_d || (d == best_d && best && core::flat_index(s, i) < core::flat_index(s, *best))) {
            best_d = d;
            best = i;
        }
    };
    auto consider_block = [&](int64_t n) {
        const Vec2 b = block_origin(l, n);
        const int64_t tc0 =
            std::clamp<int64_t>(static_cast<int64_t>(std::max(0.0f, p.x - b.x) / tpx), 0, l.tiles_per_row - 1);
        const int64_t tr0 =
            std::clamp<int64_t>(static_cast<int64_t>(std::max(0.0f, p.y - b.y) / tpy), 0, l.tile_rows() - 1);
        for (int64_t tr = std::max<int64_t>(0, tr0 - 1); tr <= std::min(l.tile_rows() - 1, tr0 + 1); ++tr)
            for (int64_t tc = std::max<int64_t>(0, tc0 - 1); tc <= std::min(l.tiles_per_row - 1, tc0 + 1); ++tc)
                if (tr * l.tiles_per_row + tc < s.C) consider_tile(n, tr * l.tiles_per_row + tc);
        consider_tile(n, s.C - 1);
    };
    for (int64_t br = std::max<int64_t>(0, br0 - 1); br <= std::min(l.block_rows() - 1, br0 + 1); ++br)
        for (int64_t bc = std::max<int64_t>(0, bc0 - 1); bc <= std::min(l.blocks_per_row - 1, bc0 + 1); ++bc)
            if (br * l.blocks_per_row + bc < s.N) consider_block(br * l.blocks_per_row + bc);
    consider_block(s.N - 1);
    return best;
}

CellBox group_box(const core::Partition& partition, const core::Index& focus) {
    const core::Index key = partition.key_of(focus);
    const auto& b = partition.block;
    const core::Shape& s = partition.shape;
    return {{key.n * b[0], key.c * b[1], key.h * b[2], key.w * b[3]},
            {std::min(s.N, (key.n + 1) * b[0]), std::min(s.C, (key.c + 1) * b[1]), std::min(s.H, (key.h + 1) * b[2]),
             std::min(s.W, (key.w + 1) * b[3])}};
}

namespace {

// The tiles k in [0, count) of one block along one axis whose cells lo .. hi - 1 (inside the
// tile) reach into [p0, p1) (block-local world units): first .. last, empty if first > last.
// Tile k holds them at [k * pitch + lo, k * pitch + hi).
void tiles_reached(float p0, float p1, float pitch, int64_t lo, int64_t hi, int64_t count, int64_t& first,
                   int64_t& last) {
    // Clamped in float before the conversion, which is undefined beyond int64's range.
    const float f = std::floor((p0 - hi) / pitch) + 1, l = std::ceil((p1 - lo) / pitch) - 1;
    first = std::min(count, static_cast<int64_t>(std::clamp(f, 0.0f, static_cast<float>(count))));
    last = std::min(count - 1, static_cast<int64_t>(std::clamp(l, -1.0f, static_cast<float>(count - 1))));
}

// Whether some row r in [r0, r1] and column k in [k0, k1] have lo <= r * stride + k < hi
// (tiles to channels, blocks to samples): the smallest such value >= lo, in constant time.
bool grid_hits(int64_t k0, int64_t k1, int64_t r0, int64_t r1, int64_t stride, int64_t lo, int64_t hi) {
    if (k0 > k1 || r0 > r1) return false;
    const int64_t r = std::clamp<int64_t>(lo / stride, r0, r1);
    if (r * stride + k1 >= lo) return std::max(r * stride + k0, lo) < hi;
    return r + 1 <= r1 && (r + 1) * stride + k0 < hi;
}

}  // namespace

bool box_in_rect(const GridLayout& l, const CellBox& box, Vec2 a, Vec2 b) {
    if (!(a.x < b.x && a.y < b.y)) return false;
    const core::Shape& s = l.shape;
    const float bpx = l.block_width() + l.sample_gap, bpy = l.block_height() + l.sample_gap;
    const float tpx = s.W + l.tile_gap, tpy = s.H + l.tile_gap;
    // Float to integer only inside the picture's range (NaN and huge values fail first).
    auto block_index = [](float v, float pitch, int64_t count) {
        const float q = std::floor(v / pitch);
        return q < 0 ? int64_t{-1} : q >= count ? count : static_cast<int64_t>(q);
    };
    const int64_t bc0 = std::max<int64_t>(0, block_index(a.x, bpx, l.blocks_per_row));
    const int64_t bc1 = std::min(l.blocks_per_row - 1, block_index(b.x, bpx, l.blocks_per_row));
    const int64_t br0 = std::max<int64_t>(0, block_index(a.y, bpy, l.block_rows()));
    const int64_t br1 = std::min(l.block_rows() - 1, block_index(b.y, bpy, l.block_rows()));
    if (bc0 > bc1 || br0 > br1) return false;
    if ((bc1 - bc0 + 1) * (br1 - br0 + 1) > 16)
        return grid_hits(bc0, bc1, br0, br1, l.blocks_per_row, box.lo.n, box.hi.n);
    for (int64_t br = br0; br <= br1; ++br)
        for (int64_t bc = bc0; bc <= bc1; ++bc) {
            const int64_t n = br * l.blocks_per_row + bc;
            if (n < box.lo.n || n >= box.hi.n) continue;
            const float ox = bc * bpx, oy = br * bpy;
            int64_t k0, k1, r0, r1;
            tiles_reached(a.x - ox, b.x - ox, tpx, box.lo.w, box.hi.w, l.tiles_per_row, k0, k1);
            tiles_reached(a.y - oy, b.y - oy, tpy, box.lo.h, box.hi.h, l.tile_rows(), r0, r1);
            if (grid_hits(k0, k1, r0, r1, l.tiles_per_row, box.lo.c, box.hi.c)) return true;
        }
    return false;
}

namespace {

// Items k = 0 .. count - 1 spanning [k * pitch, k * pitch + size) along one axis that overlap
// [a, b): (first, last), first > last when none.
std::pair<int64_t, int64_t> items_reached(float a, float b, float pitch, float size, int64_t count) {
    if (!(a < b)) return {0, -1};  // empty, or NaN
    const double first = std::max(0.0, std::floor((static_cast<double>(a) - size) / pitch) + 1);
    const double last = std::min(static_cast<double>(count - 1), std::ceil(static_cast<double>(b) / pitch) - 1);
    if (first > last) return {0, -1};
    return {static_cast<int64_t>(first), static_cast<int64_t>(last)};
}

}  // namespace

GridSpan blocks_in_rect(const GridLayout& l, Vec2 a, Vec2 b) {
    const auto [c0, c1] = items_reached(a.x, b.x, l.block_width() + l.sample_gap, l.block_width(), l.blocks_per_row);
    const auto [r0, r1] = items_reached(a.y, b.y, l.block_height() + l.sample_gap, l.block_height(), l.block_rows());
    return {c0, c1, r0, r1};
}

GridSpan tiles_in_rect(const GridLayout& l, int64_t n, Vec2 a, Vec2 b) {
    const Vec2 o = block_origin(l, n);
    const float w = static_cast<float>(l.shape.W), h = static_cast<float>(l.shape.H);
    const auto [c0, c1] = items_reached(a.x - o.x, b.x - o.x, w + l.tile_gap, w, l.tiles_per_row);
    const auto [r0, r1] = items_reached(a.y - o.y, b.y - o.y, h + l.tile_gap, h, l.tile_rows());
    return {c0, c1, r0, r1};
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

ViewTransform zoom_about(const ViewTransform& view, float factor, Vec2 anchor, float min_zoom, float max_zoom) {
    ViewTransform v = view;
    Vec2 world = view.to_world(anchor);
    v.zoom = std::clamp(view.zoom * factor, min_zoom, max_zoom);
    v.pan = {world.x - (anchor.x - v.origin.x) / v.zoom, world.y - (anchor.y - v.origin.y) / v.zoom};
    return v;
}

}  // namespace normviz::app
