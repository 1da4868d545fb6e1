// Grid layout math: position <-> (n, c, h, w) both ways, gaps and outside points, the nearest
// cell to a point in a gap, whether a rectangle holds a cell of a group, the view transform,
// fitting and zooming about an anchor. Pure functions, no GL.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <random>
#include <vector>

#include "app/view/grid_layout.h"
#include "core/partition.h"

namespace {

using normviz::app::block_origin;
using normviz::app::cell_at;
using normviz::app::cell_origin;
using normviz::app::fit_view;
using normviz::app::GridLayout;
using normviz::app::make_grid_layout;
using normviz::app::tile_origin;
using normviz::app::Vec2;
using normviz::app::ViewTransform;
using normviz::app::zoom_about;
using normviz::core::Index;
using normviz::core::Shape;

std::string str(const Index& i) {
    return "(" + std::to_string(i.n) + ", " + std::to_string(i.c) + ", " + std::to_string(i.h) + ", " +
           std::to_string(i.w) + ")";
}

Vec2 add(Vec2 a, float dx, float dy) { return {a.x + dx, a.y + dy}; }

// Every cell of a small layout: the centre and points just inside each corner map back to it.
void expect_every_cell_round_trips(const Shape& s) {
    const GridLayout l = make_grid_layout(s);
    for (int64_t n = 0; n < s.N; ++n)
        for (int64_t c = 0; c < s.C; ++c)
            for (int64_t h = 0; h < s.H; ++h)
                for (int64_t w = 0; w < s.W; ++w) {
                    const Index i{n, c, h, w};
                    const Vec2 o = cell_origin(l, i);
                    for (Vec2 d : {Vec2{0.5f, 0.5f}, Vec2{0.001f, 0.001f}, Vec2{0.999f, 0.999f}, Vec2{0.001f, 0.999f},
                                   Vec2{0.999f, 0.001f}, Vec2{0.0f, 0.0f}}) {
                        auto got = cell_at(l, add(o, d.x, d.y));
                        ASSERT_TRUE(got.has_value()) << "cell " << str(i) << " offset (" << d.x << ", " << d.y << ")";
                        EXPECT_EQ(*got, i) << "offset (" << d.x << ", " << d.y << ") got " << str(*got);
                    }
                }
}

TEST(GridLayout, MakeLayoutPutsUpToEightChannelsInOneRow) {
    EXPECT_EQ(make_grid_layout({4, 6, 4, 4}).tiles_per_row, 6);
    EXPECT_EQ(make_grid_layout({4, 8, 4, 4}).tiles_per_row, 8);
    EXPECT_EQ(make_grid_layout({1, 20, 5, 3}).tiles_per_row, 5);
    EXPECT_EQ(make_grid_layout({1, 20, 5, 3}).tile_rows(), 4);
    EXPECT_EQ(make_grid_layout({32, 256, 56, 56}).tiles_per_row, 16);
    for (Shape s : {Shape{4, 6, 4, 4}, Shape{2, 3, 1, 7}, Shape{1, 20, 5, 3}, Shape{32, 256, 56, 56}}) {
        const GridLayout l = make_grid_layout(s);
        EXPECT_GT(l.tile_gap, 0.0f);
        EXPECT_GT(l.sample_gap, 0.0f);
    }
}

TEST(GridLayout, EveryCellRoundTrips_4x6x4x4) { expect_every_cell_round_trips({4, 6, 4, 4}); }
TEST(GridLayout, EveryCellRoundTrips_2x3x1x7) { expect_every_cell_round_trips({2, 3, 1, 7}); }
TEST(GridLayout, EveryCellRoundTrips_WrappedTiles_1x20x5x3) { expect_every_cell_round_trips({1, 20, 5, 3}); }
TEST(GridLayout, EveryCellRoundTrips_WrappedPartialLastRow_2x10x3x2) { expect_every_cell_round_trips({2, 10, 3, 2}); }
TEST(GridLayout, EveryCellRoundTrips_OneByOne) { expect_every_cell_round_trips({1, 1, 1, 1}); }

TEST(GridLayout, LargeShapeSampleOfCellsRoundTrips) {
    const Shape s{32, 256, 56, 56};
    const GridLayout l = make_grid_layout(s);
    // Deterministic sample: corners of the index space and a stride walk through it.
    std::vector<Index> sample = {{0, 0, 0, 0},    {31, 255, 55, 55}, {0, 255, 0, 55}, {31, 0, 55, 0},
                                 {15, 15, 0, 55}, {15, 16, 55, 0},   {1, 240, 27, 28}};
    uint64_t x = 12345;
    for (int k = 0; k < 2000; ++k) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        sample.push_back(
            {int64_t((x >> 33) % 32), int64_t((x >> 20) % 256), int64_t((x >> 10) % 56), int64_t((x >> 40) % 56)});
    }
    for (const Index& i : sample) {
        const Vec2 o = cell_origin(l, i);
        // World coordinates stay below ~8000 here, where float spacing is < 0.001.
        for (Vec2 d : {Vec2{0.5f, 0.5f}, Vec2{0.001f, 0.001f}, Vec2{0.999f, 0.999f}}) {
            auto got = cell_at(l, add(o, d.x, d.y));
            ASSERT_TRUE(got.has_value()) << str(i) << " offset (" << d.x << ", " << d.y << ")";
            EXPECT_EQ(*got, i) << "offset (" << d.x << ", " << d.y << ") got " << str(*got);
        }
    }
}

TEST(GridLayout, CellOriginsAreIntegerStepsInsideTiles) {
    const GridLayout l = make_grid_layout({2, 10, 3, 2});
    const Vec2 t = tile_origin(l, 1, 5);
    const Vec2 o = cell_origin(l, {1, 5, 2, 1});
    EXPECT_FLOAT_EQ(o.x - t.x, 1.0f);
    EXPECT_FLOAT_EQ(o.y - t.y, 2.0f);
    EXPECT_FLOAT_EQ(tile_origin(l, 1, 0).x, block_origin(l, 1).x);
    EXPECT_FLOAT_EQ(tile_origin(l, 1, 0).y, block_origin(l, 1).y);
    EXPECT_FLOAT_EQ(block_origin(l, 0).y, 0.0f);
    EXPECT_FLOAT_EQ(cell_origin(l, {0, 0, 0, 0}).x, 0.0f);
    EXPECT_FLOAT_EQ(cell_origin(l, {0, 0, 0, 0}).y, 0.0f);
}

// Points in the gaps between tiles and between sample blocks are no cell.
void expect_gaps_empty(const Shape& s) {
    const GridLayout l = make_grid_layout(s);
    for (int64_t n = 0; n < s.N; ++n) {
        for (int64_t c = 0; c < s.C; ++c) {
            const Vec2 t = tile_origin(l, n, c);
            const int64_t col = c % l.tiles_per_row;
            const int64_t row = c / l.tiles_per_row;
            // Right of the tile, in the tile gap (only between columns).
            if (col + 1 < l.tiles_per_row) {
                for (float fy : {0.0f, 0.5f, static_cast<float>(s.H) - 0.01f}) {
                    EXPECT_FALSE(cell_at(l, {t.x + s.W + l.tile_gap * 0.5f, t.y + fy}))
                        << "gap right of tile n=" << n << " c=" << c;
                }
                EXPECT_FALSE(cell_at(l, {t.x + s.W + 0.001f, t.y + 0.5f}));
                EXPECT_FALSE(cell_at(l, {t.x + s.W + l.tile_gap - 0.001f, t.y + 0.5f}));
            }
            // Below the tile, in the gap between tile rows.
            if (row + 1 < l.tile_rows()) {
                EXPECT_FALSE(cell_at(l, {t.x + 0.5f, t.y + s.H + l.tile_gap * 0.5f}))
                    << "gap below tile n=" << n << " c=" << c;
            }
        }
        // Between sample blocks: right of the block and below it.
        const Vec2 b = block_origin(l, n);
        const int64_t block_col = n % l.blocks_per_row, block_row = n / l.blocks_per_row;
        if (block_col + 1 < l.blocks_per_row) {
            for (float y : {0.5f, l.block_height() * 0.5f, l.block_height() - 0.5f})
                EXPECT_FALSE(cell_at(l, {b.x + l.block_width() + l.sample_gap * 0.5f, b.y + y}))
                    << "gap right of sample " << n;
            EXPECT_FALSE(cell_at(l, {b.x + l.block_width() + 0.001f, b.y + 0.5f}));
            EXPECT_FALSE(cell_at(l, {block_origin(l, n + 1).x - 0.001f, b.y + 0.5f}));
        }
        if (block_row + 1 < l.block_rows()) {
            const float y = b.y + l.block_height() + l.sample_gap * 0.5f;
            for (float x : {0.5f, l.block_width() * 0.5f, l.block_width() - 0.5f})
                EXPECT_FALSE(cell_at(l, {b.x + x, y})) << "gap below sample " << n;
            EXPECT_FALSE(cell_at(l, {b.x + 0.5f, b.y + l.block_height() + 0.001f}));
            EXPECT_FALSE(cell_at(l, {b.x + 0.5f, block_origin(l, n + l.blocks_per_row).y - 0.001f}));
        }
    }
}

TEST(GridLayout, GapsAreNoCell_4x6x4x4) { expect_gaps_empty({4, 6, 4, 4}); }
TEST(GridLayout, GapsAreNoCell_2x3x1x7) { expect_gaps_empty({2, 3, 1, 7}); }
TEST(GridLayout, GapsAreNoCell_1x20x5x3) { expect_gaps_empty({1, 20, 5, 3}); }
TEST(GridLayout, GapsAreNoCell_32x256x56x56) { expect_gaps_empty({32, 256, 56, 56}); }

TEST(GridLayout, EmptyTileSlotsOfAPartialLastRowAreNoCell) {
    const Shape s{2, 10, 3, 2};  // 4 tiles per row, 3 rows: slots 10 and 11 are empty
    const GridLayout l = make_grid_layout(s);
    ASSERT_EQ(l.tiles_per_row, 4);
    ASSERT_EQ(l.tile_rows(), 3);
    for (int64_t n = 0; n < s.N; ++n)
        for (int64_t slot : {10, 11}) {
            const Vec2 t = tile_origin(l, n, slot);
            EXPECT_FALSE(cell_at(l, {t.x + 0.5f, t.y + 0.5f})) << "n=" << n << " slot " << slot;
        }
}

TEST(GridLayout, OutsidePointsAreNoCell) {
    for (Shape s : {Shape{4, 6, 4, 4}, Shape{2, 3, 1, 7}, Shape{1, 20, 5, 3}, Shape{32, 256, 56, 56}}) {
        const GridLayout l = make_grid_layout(s);
        const float W = l.width(), H = l.height();
        EXPECT_FALSE(cell_at(l, {-0.001f, 0.5f}));
        EXPECT_FALSE(cell_at(l, {0.5f, -0.001f}));
        EXPECT_FALSE(cell_at(l, {-100.0f, -100.0f}));
        EXPECT_FALSE(cell_at(l, {-1e30f, 0.5f}));
        EXPECT_FALSE(cell_at(l, {W, 0.5f}));
        EXPECT_FALSE(cell_at(l, {W + 0.5f, 0.5f}));
        EXPECT_FALSE(cell_at(l, {0.5f, H}));
        EXPECT_FALSE(cell_at(l, {0.5f, H + 0.5f}));
        EXPECT_FALSE(cell_at(l, {1e9f, 1e9f}));
        EXPECT_FALSE(cell_at(l, {W * 0.5f, 1e9f}));
        // The first sample block's top-right cell and the last block row's bottom-left cell
        // are still inside.
        auto top_right = cell_at(l, {l.block_width() - 0.5f, 0.5f});
        ASSERT_TRUE(top_right.has_value());
        EXPECT_EQ(*top_right, (Index{0, std::min(s.C, l.tiles_per_row) - 1, 0, s.W - 1}));
        auto bottom_left = cell_at(l, {0.5f, H - 0.5f});
        ASSERT_TRUE(bottom_left.has_value());
        EXPECT_EQ(bottom_left->n, (l.block_rows() - 1) * l.blocks_per_row);
        EXPECT_EQ(bottom_left->w, 0);
        // The far corner is the last block column's last channel row.
        auto right_edge = cell_at(l, {W - 0.5f, 0.5f});
        ASSERT_TRUE(right_edge.has_value());
        EXPECT_EQ(right_edge->n, l.blocks_per_row - 1);
        EXPECT_EQ(right_edge->w, s.W - 1);
    }
}

TEST(GridLayout, EmptyBlockSlotsOfAPartialLastBlockRowAreNoCell) {
    const Shape s{32, 256, 56, 56};
    const GridLayout l = make_grid_layout(s);
    ASSERT_GT(l.blocks_per_row, 1);
    ASSERT_GT(l.blocks_per_row * l.block_rows(), s.N) << "expected empty block slots";
    for (int64_t slot = s.N; slot < l.blocks_per_row * l.block_rows(); ++slot) {
        const Vec2 b = block_origin(l, slot);
        EXPECT_FALSE(cell_at(l, {b.x + 0.5f, b.y + 0.5f})) << "slot " << slot;
        EXPECT_FALSE(cell_at(l, {b.x + l.block_width() - 0.5f, b.y + l.block_height() - 0.5f})) << "slot " << slot;
    }
}

TEST(GridLayout, ManySamplesWrapIntoASquareishGridOfBlocks) {
    const GridLayout few = make_grid_layout({4, 6, 4, 4});
    EXPECT_EQ(few.blocks_per_row, 1);  // wide blocks: one column of samples
    EXPECT_EQ(few.block_rows(), 4);
    const GridLayout many = make_grid_layout({32, 256, 56, 56});
    EXPECT_GE(many.blocks_per_row * many.block_rows(), 32);
    EXPECT_LT((many.blocks_per_row - 1) * many.block_rows(), 32);  // no wasted block column
    const float aspect = many.width() / many.height();
    EXPECT_GT(aspect, 0.5f);
    EXPECT_LT(aspect, 2.0f);
    const GridLayout tall = make_grid_layout({64, 1, 2, 2});
    EXPECT_GT(tall.blocks_per_row, 1);
    EXPECT_GE(tall.blocks_per_row * tall.block_rows(), 64);
}

TEST(GridLayout, NanPositionIsNoCell) {
    const GridLayout l = make_grid_layout({4, 6, 4, 4});
    EXPECT_FALSE(cell_at(l, {NAN, 0.5f}));
    EXPECT_FALSE(cell_at(l, {0.5f, NAN}));
}

TEST(GridLayout, ViewTransformRoundTrip) {
    const ViewTransform views[] = {
        {{0, 0}, {0, 0}, 1.0f},
        {{120, 34}, {-3.5f, 7.25f}, 12.0f},
        {{300, 20}, {100.0f, 50.0f}, 0.05f},
        {{-10, 5}, {0.0f, 1000.0f}, 250.0f},
    };
    for (const ViewTransform& v : views)
        for (Vec2 p : {Vec2{0, 0}, Vec2{1, 2}, Vec2{-7.5f, 13.25f}, Vec2{500, 800}}) {
            const Vec2 s = v.to_screen(p);
            const Vec2 back = v.to_world(s);
            EXPECT_NEAR(back.x, p.x, 1e-3f * (1 + std::abs(p.x)));
            EXPECT_NEAR(back.y, p.y, 1e-3f * (1 + std::abs(p.y)));
            // Screen -> world -> screen loses the float spacing of the world point, scaled
            // by the zoom.
            const Vec2 w = v.to_world(p);
            const Vec2 again = v.to_screen(w);
            const float tol_x = 1e-3f + 4 * v.zoom * FLT_EPSILON * (std::abs(w.x) + std::abs(v.pan.x));
            const float tol_y = 1e-3f + 4 * v.zoom * FLT_EPSILON * (std::abs(w.y) + std::abs(v.pan.y));
            EXPECT_NEAR(again.x, p.x, tol_x);
            EXPECT_NEAR(again.y, p.y, tol_y);
        }
    // The pan point sits at the origin; one world unit is `zoom` pixels.
    const ViewTransform v{{50, 60}, {2, 3}, 10};
    EXPECT_FLOAT_EQ(v.to_screen({2, 3}).x, 50);
    EXPECT_FLOAT_EQ(v.to_screen({2, 3}).y, 60);
    EXPECT_FLOAT_EQ(v.to_screen({3, 3}).x - v.to_screen({2, 3}).x, 10);
}

TEST(GridLayout, FitViewShowsWholeLayoutInsideMargins) {
    struct Case {
        Shape shape;
        Vec2 origin, size, margin;
    };
    const Case cases[] = {
        {{4, 6, 4, 4}, {0, 0}, {800, 600}, {40, 30}},  {{2, 3, 1, 7}, {200, 19}, {640, 480}, {32, 20}},
        {{1, 20, 5, 3}, {10, 10}, {300, 900}, {0, 0}}, {{32, 256, 56, 56}, {0, 0}, {1000, 700}, {48, 24}},
        {{1, 1, 1, 1}, {5, 5}, {100, 100}, {10, 10}},
    };
    for (const Case& k : cases) {
        const GridLayout l = make_grid_layout(k.shape);
        const ViewTransform v = fit_view(l, k.origin, k.size, k.margin);
        EXPECT_GT(v.zoom, 0.0f);
        const Vec2 tl = v.to_screen({0, 0});
        const Vec2 br = v.to_screen({l.width(), l.height()});
        const float tol = 1e-2f;
        EXPECT_NEAR(tl.x, k.origin.x + k.margin.x, tol);
        EXPECT_NEAR(tl.y, k.origin.y + k.margin.y, tol);
        EXPECT_LE(br.x, k.origin.x + k.size.x + tol);
        EXPECT_LE(br.y, k.origin.y + k.size.y + tol);
        // Tight in at least one direction: it fills the width or the height (minus a few
        // pixels of padding).
        const float slack_x = k.origin.x + k.size.x - br.x;
        const float slack_y = k.origin.y + k.size.y - br.y;
        EXPECT_LE(std::min(slack_x, slack_y), 8.0f) << "slack " << slack_x << ", " << slack_y;
    }
}

TEST(GridLayout, FitViewOfATinyPanelStillHasPositiveZoom) {
    const GridLayout l = make_grid_layout({4, 6, 4, 4});
    const ViewTransform v = fit_view(l, {0, 0}, {10, 10}, {40, 40});
    EXPECT_GT(v.zoom, 0.0f);
    EXPECT_TRUE(std::isfinite(v.pan.x) && std::isfinite(v.pan.y));
}

TEST(GridLayout, ZoomAboutKeepsAnchorWorldPointFixed) {
    const ViewTransform v{{100, 50}, {-2.0f, -1.5f}, 8.0f};
    for (Vec2 anchor : {Vec2{100, 50}, Vec2{400, 300}, Vec2{123.5f, 77.25f}})
        for (float factor : {1.25f, 0.8f, 2.0f, 0.5f, 1.0f}) {
            const Vec2 before = v.to_world(anchor);
            const ViewTransform z = zoom_about(v, factor, anchor, 0.1f, 100.0f);
            EXPECT_FLOAT_EQ(z.zoom, 8.0f * factor);
            EXPECT_FLOAT_EQ(z.origin.x, v.origin.x);
            EXPECT_FLOAT_EQ(z.origin.y, v.origin.y);
            const Vec2 after = z.to_world(anchor);
            EXPECT_NEAR(after.x, before.x, 1e-4f);
            EXPECT_NEAR(after.y, before.y, 1e-4f);
        }
}

TEST(GridLayout, ZoomAboutClampsZoomAndStillKeepsAnchor) {
    const ViewTransform v{{0, 0}, {3, 4}, 8.0f};
    const Vec2 anchor{200, 150};
    const Vec2 before = v.to_world(anchor);
    const ViewTransform in = zoom_about(v, 1000.0f, anchor, 0.5f, 64.0f);
    EXPECT_FLOAT_EQ(in.zoom, 64.0f);
    EXPECT_NEAR(in.to_world(anchor).x, before.x, 1e-4f);
    EXPECT_NEAR(in.to_world(anchor).y, before.y, 1e-4f);
    const ViewTransform out = zoom_about(v, 1e-6f, anchor, 0.5f, 64.0f);
    EXPECT_FLOAT_EQ(out.zoom, 0.5f);
    EXPECT_NEAR(out.to_world(anchor).x, before.x, 1e-3f);
    EXPECT_NEAR(out.to_world(anchor).y, before.y, 1e-3f);
    // Repeated zooming in stays at the limit.
    ViewTransform r = v;
    for (int i = 0; i < 50; ++i) r = zoom_about(r, 1.25f, anchor, 0.5f, 64.0f);
    EXPECT_FLOAT_EQ(r.zoom, 64.0f);
    EXPECT_NEAR(r.to_world(anchor).x, before.x, 1e-3f);
}

// ---- nearest_cell: a click in a gap -------------------------------------------------------

using normviz::app::nearest_cell;

// Squared distance from p to cell i's unit square.
float cell_distance(const GridLayout& l, const Index& i, Vec2 p) {
    const Vec2 o = cell_origin(l, i);
    const float dx = std::max({o.x - p.x, 0.0f, p.x - (o.x + 1)});
    const float dy = std::max({o.y - p.y, 0.0f, p.y - (o.y + 1)});
    return dx * dx + dy * dy;
}

// The nearest cell by trying every one (ties: the first in memory order).
Index brute_nearest(const GridLayout& l, Vec2 p) {
    const Shape& s = l.shape;
    Index best;
    float best_d = INFINITY;
    for (int64_t n = 0; n < s.N; ++n)
        for (int64_t c = 0; c < s.C; ++c)
            for (int64_t h = 0; h < s.H; ++h)
                for (int64_t w = 0; w < s.W; ++w) {
                    const float d = cell_distance(l, {n, c, h, w}, p);
                    if (d < best_d) best_d = d, best = {n, c, h, w};
                }
    return best;
}

void expect_nearest_matches_brute_force(const GridLayout& l, int points, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> ux(0.0f, l.width()), uy(0.0f, l.height());
    int in_gaps = 0;
    for (int k = 0; k < points; ++k) {
        const Vec2 p{ux(rng), uy(rng)};
        const auto got = nearest_cell(l, p);
        ASSERT_TRUE(got.has_value()) << "(" << p.x << ", " << p.y << ")";
        const Index want = brute_nearest(l, p);
        // Equal distance is enough where two cells tie (float rounding may pick either).
        EXPECT_NEAR(cell_distance(l, *got, p), cell_distance(l, want, p), 1e-4f)
            << "at (" << p.x << ", " << p.y << ") got " << str(*got) << " want " << str(want);
        if (auto under = cell_at(l, p)) {
            EXPECT_EQ(*got, *under);
        } else {
            ++in_gaps;
        }
    }
    EXPECT_GT(in_gaps, 0) << "no point fell in a gap";
}

TEST(NearestCell, MatchesBruteForceAcrossGapsAndEmptySlots) {
    expect_nearest_matches_brute_force(make_grid_layout({4, 6, 4, 4}), 400, 1);
    expect_nearest_matches_brute_force(make_grid_layout({2, 10, 3, 2}), 400, 2);  // partial last tile row
    expect_nearest_matches_brute_force(make_grid_layout({7, 5, 2, 3}), 400, 3);   // partial last block row
    expect_nearest_matches_brute_force(make_grid_layout({13, 3, 1, 1}), 400, 4);  // 1x1 tiles
    expect_nearest_matches_brute_force(make_grid_layout({3, 20, 1, 9}), 400, 5);  // flat tiles
}

TEST(NearestCell, HandMadeLayoutsWithWideGapsAndFewerItemsThanSlots) {
    GridLayout l = make_grid_layout({3, 5, 2, 2});
    l.tiles_per_row = 4;
    l.blocks_per_row = 2;
    l.tile_gap = 5;
    l.sample_gap = 9;
    expect_nearest_matches_brute_force(l, 600, 6);
    GridLayout wide = make_grid_layout({2, 2, 3, 3});
    wide.tiles_per_row = 3;   // a first row with an empty slot
    wide.blocks_per_row = 3;  // and an empty block slot
    expect_nearest_matches_brute_force(wide, 400, 7);
}

TEST(NearestCell, AClickInATileGapTakesTheCellBesideIt) {
    const GridLayout l = make_grid_layout({2, 3, 4, 4});
    ASSERT_GE(l.tile_gap, 0.5f);
    // Just right of tile (0, 0)'s last column, in the gap before tile (0, 1): still (0, 0, h, 3).
    const Vec2 t0 = tile_origin(l, 0, 0);
    EXPECT_FALSE(cell_at(l, {t0.x + 4.1f, t0.y + 2.5f}).has_value());
    EXPECT_EQ(nearest_cell(l, {t0.x + 4.1f, t0.y + 2.5f}), (Index{0, 0, 2, 3}));
    // Just left of tile (0, 1): its first column.
    const Vec2 t1 = tile_origin(l, 0, 1);
    EXPECT_EQ(nearest_cell(l, {t1.x - 0.1f, t1.y + 0.5f}), (Index{0, 1, 0, 0}));
    // In the gap between sample blocks: the nearer block's cell.
    const Vec2 b1 = block_origin(l, 1);
    const Vec2 before_b1 = b1.y > 0 ? Vec2{b1.x + 0.5f, b1.y - 0.2f} : Vec2{b1.x - 0.2f, b1.y + 0.5f};
    EXPECT_FALSE(cell_at(l, before_b1).has_value());
    EXPECT_EQ(nearest_cell(l, before_b1), (Index{1, 0, 0, 0}));
}

TEST(NearestCell, OutsideThePictureOrNanIsNothing) {
    const GridLayout l = make_grid_layout({2, 3, 4, 4});
    EXPECT_FALSE(nearest_cell(l, {-0.5f, 1.0f}).has_value());
    EXPECT_FALSE(nearest_cell(l, {1.0f, l.height() + 0.5f}).has_value());
    EXPECT_FALSE(nearest_cell(l, {NAN, 1.0f}).has_value());
    EXPECT_FALSE(nearest_cell(l, {1e30f, 1e30f}).has_value());
}

// ---- box_in_rect: marking a group whose cells are smaller than a pixel -----------------------

using normviz::app::box_in_rect;
using normviz::app::CellBox;
using normviz::app::group_box;

bool inside(const CellBox& b, const Index& i) {
    return i.n >= b.lo.n && i.n < b.hi.n && i.c >= b.lo.c && i.c < b.hi.c && i.h >= b.lo.h && i.h < b.hi.h &&
           i.w >= b.lo.w && i.w < b.hi.w;
}

// Whether some cell of the box overlaps [a, b), by trying every cell.
bool brute_box_in_rect(const GridLayout& l, const CellBox& box, Vec2 a, Vec2 b) {
    const Shape& s = l.shape;
    for (int64_t n = 0; n < s.N; ++n)
        for (int64_t c = 0; c < s.C; ++c)
            for (int64_t h = 0; h < s.H; ++h)
                for (int64_t w = 0; w < s.W; ++w) {
                    if (!inside(box, {n, c, h, w})) continue;
                    const Vec2 o = cell_origin(l, {n, c, h, w});
                    if (o.x < b.x && o.x + 1 > a.x && o.y < b.y && o.y + 1 > a.y) return true;
                }
    return false;
}

TEST(GroupBox, IsTheFocusKeyTimesTheBlocks) {
    using normviz::core::make_partition;
    using normviz::core::NormKind;
    using normviz::core::NormSpec;
    const Shape s{4, 6, 3, 5};
    NormSpec spec;
    spec.kind = NormKind::LayerToken;
    CellBox b = group_box(make_partition(spec, s), {2, 4, 1, 3});
    EXPECT_EQ(b.lo, (Index{2, 0, 1, 3}));
    EXPECT_EQ(b.hi, (Index{3, 6, 2, 4}));
    spec.kind = NormKind::Group;
    spec.groups = 3;
    b = group_box(make_partition(spec, s), {1, 3, 2, 0});
    EXPECT_EQ(b.lo, (Index{1, 2, 0, 0}));
    EXPECT_EQ(b.hi, (Index{2, 4, 3, 5}));
    spec.kind = NormKind::Batch;
    b = group_box(make_partition(spec, s), {1, 5, 2, 0});
    EXPECT_EQ(b.lo, (Index{0, 5, 0, 0}));
    EXPECT_EQ(b.hi, (Index{4, 6, 3, 5}));
}

void expect_box_in_rect_matches_brute_force(const GridLayout& l, uint32_t seed, float max_size) {
    const Shape& s = l.shape;
    std::mt19937 rng(seed);
    auto pick = [&](int64_t extent) { return std::uniform_int_distribution<int64_t>(0, extent - 1)(rng); };
    std::uniform_real_distribution<float> ux(-2.0f, l.width() + 2), uy(-2.0f, l.height() + 2), size(0.05f, max_size);
    int hits = 0, misses = 0;
    for (int k = 0; k < 600; ++k) {
        // A box of one to all coordinates per axis, like the groups of the norms.
        CellBox box;
        int64_t lo[4], hi[4];
        const int64_t ext[4] = {s.N, s.C, s.H, s.W};
        for (int a = 0; a < 4; ++a) {
            const int kind = static_cast<int>(rng() % 3);
            lo[a] = kind == 0 ? 0 : pick(ext[a]);
            hi[a] = kind == 0 ? ext[a] : kind == 1 ? lo[a] + 1 : std::min(ext[a], lo[a] + 1 + pick(ext[a]));
        }
        box.lo = {lo[0], lo[1], lo[2], lo[3]};
        box.hi = {hi[0], hi[1], hi[2], hi[3]};
        const Vec2 a{ux(rng), uy(rng)};
        const float r = size(rng);
        const Vec2 b{a.x + r, a.y + r};
        const bool want = brute_box_in_rect(l, box, a, b);
        EXPECT_EQ(box_in_rect(l, box, a, b), want)
            << "rect (" << a.x << ", " << a.y << ") + " << r << " box " << str(box.lo) << " .. " << str(box.hi);
        (want ? hits : misses) += 1;
    }
    EXPECT_GT(hits, 20);
    EXPECT_GT(misses, 20);
}

TEST(BoxInRect, MatchesBruteForceForPixelSizedAndLargerRectangles) {
    expect_box_in_rect_matches_brute_force(make_grid_layout({4, 6, 4, 4}), 1, 1.0f);
    expect_box_in_rect_matches_brute_force(make_grid_layout({4, 6, 4, 4}), 2, 12.0f);
    expect_box_in_rect_matches_brute_force(make_grid_layout({2, 10, 3, 2}), 3, 6.0f);
    expect_box_in_rect_matches_brute_force(make_grid_layout({7, 5, 2, 3}), 4, 9.0f);
    expect_box_in_rect_matches_brute_force(make_grid_layout({6, 20, 5, 7}), 5, 30.0f);  // many tiles at once
    expect_box_in_rect_matches_brute_force(make_grid_layout({13, 3, 1, 1}), 6, 4.0f);
}

TEST(BoxInRect, OneCellPerTileGroupIsFoundAtFitZoomOfALargeTensor) {
    // (32, 256, 56, 56) fitted into about 400 pixels: a pixel is ~15 cells wide, and the
    // LayerNorm (token) group of (1, 0, 5, 7) is one cell per tile of sample 1.
    const Shape s{32, 256, 56, 56};
    const GridLayout l = make_grid_layout(s);
    const CellBox box{{1, 0, 5, 7}, {2, 256, 6, 8}};
    const float pixel = l.width() / 400.0f;
    int marked = 0;
    for (int64_t c = 0; c < s.C; c += 17) {
        const Vec2 o = cell_origin(l, {1, c, 5, 7});
        // The pixel holding the cell, and pixels one over on each side of it (a 2 px mark).
        EXPECT_TRUE(
            box_in_rect(l, box, {o.x - pixel * 0.4f, o.y - pixel * 0.4f}, {o.x + pixel * 0.6f, o.y + pixel * 0.6f}));
        ++marked;
        // A pixel-sized rectangle in the same tile but well away from the cell: nothing.
        const Vec2 far{o.x + 20, o.y + 20};
        EXPECT_FALSE(box_in_rect(l, box, far, {far.x + pixel, far.y + pixel}));
        // The same place in sample 0: not the group.
        const Vec2 other = cell_origin(l, {0, c, 5, 7});
        EXPECT_FALSE(box_in_rect(l, box, {other.x - 0.5f, other.y - 0.5f}, {other.x + 1.5f, other.y + 1.5f}));
    }
    EXPECT_GT(marked, 10);
}

TEST(BoxInRect, EmptyOrNanRectangleHoldsNothing) {
    const GridLayout l = make_grid_layout({2, 3, 4, 4});
    const CellBox all{{0, 0, 0, 0}, {2, 3, 4, 4}};
    EXPECT_TRUE(box_in_rect(l, all, {0, 0}, {1, 1}));
    EXPECT_FALSE(box_in_rect(l, all, {1, 1}, {1, 1}));
    EXPECT_FALSE(box_in_rect(l, all, {NAN, 0}, {1, 1}));
    EXPECT_FALSE(box_in_rect(l, all, {-5, -5}, {-1, -1}));
    EXPECT_TRUE(box_in_rect(l, all, {-1e30f, -1e30f}, {1e30f, 1e30f}));
}

}  // namespace

namespace {

// Whether world rectangle [a, b) overlaps the box at `o` of size `size`.
bool overlaps(Vec2 a, Vec2 b, Vec2 o, Vec2 size) {
    return a.x < o.x + size.x && o.x < b.x && a.y < o.y + size.y && o.y < b.y;
}

// blocks_in_rect and tiles_in_rect hold exactly the blocks and tiles that overlap the
// rectangle (brute force over every existing block and tile), for rectangles of every size.
void expect_spans_match_brute_force(const Shape& shape) {
    const GridLayout l = normviz::app::make_grid_layout(shape);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> at(-5.0f, std::max(l.width(), l.height()) + 5.0f);
    std::uniform_real_distribution<float> size(0.01f, std::max(l.width(), l.height()) * 0.3f);
    const Vec2 block_size{l.block_width(), l.block_height()};
    const Vec2 tile_size{static_cast<float>(shape.W), static_cast<float>(shape.H)};
    for (int trial = 0; trial < 300; ++trial) {
        const Vec2 a{at(rng), at(rng)};
        const Vec2 b{a.x + size(rng), a.y + size(rng)};
        const normviz::app::GridSpan blocks = normviz::app::blocks_in_rect(l, a, b);
        for (int64_t n = 0; n < shape.N; ++n) {
            const int64_t row = n / l.blocks_per_row, col = n % l.blocks_per_row;
            const bool in_span =
                !blocks.empty() && col >= blocks.col0 && col <= blocks.col1 && row >= blocks.row0 && row <= blocks.row1;
            ASSERT_EQ(in_span, overlaps(a, b, block_origin(l, n), block_size)) << "block " << n << " trial " << trial;
            const normviz::app::GridSpan tiles = normviz::app::tiles_in_rect(l, n, a, b);
            for (int64_t c = 0; c < shape.C; ++c) {
                const int64_t tr = c / l.tiles_per_row, tc = c % l.tiles_per_row;
                const bool tile_in =
                    !tiles.empty() && tc >= tiles.col0 && tc <= tiles.col1 && tr >= tiles.row0 && tr <= tiles.row1;
                ASSERT_EQ(tile_in, overlaps(a, b, tile_origin(l, n, c), tile_size))
                    << "block " << n << " tile " << c << " trial " << trial;
            }
        }
    }
}

}  // namespace

TEST(GridSpan, MatchesBruteForce_4x6x4x4) { expect_spans_match_brute_force({4, 6, 4, 4}); }
TEST(GridSpan, MatchesBruteForce_WrappedTiles_2x10x3x2) { expect_spans_match_brute_force({2, 10, 3, 2}); }
TEST(GridSpan, MatchesBruteForce_ManySamples_37x5x2x3) { expect_spans_match_brute_force({37, 5, 2, 3}); }

TEST(GridSpan, EmptyOrNanRectangleHoldsNothing) {
    const GridLayout l = normviz::app::make_grid_layout({4, 6, 4, 4});
    EXPECT_TRUE(normviz::app::blocks_in_rect(l, {3, 3}, {3, 3}).empty());
    EXPECT_TRUE(normviz::app::blocks_in_rect(l, {NAN, 0}, {10, 10}).empty());
    EXPECT_TRUE(normviz::app::tiles_in_rect(l, 0, {-50, -50}, {-40, -40}).empty());
}
