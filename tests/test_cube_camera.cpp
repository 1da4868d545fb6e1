// Cube view math: geometry and level of detail, voxel colours, projection, screen point -> ray -> voxel.
#include <cmath>

#include <gtest/gtest.h>

#include <glm/geometric.hpp>
#include <glm/trigonometric.hpp>

#include "app/view/cube_camera.h"
#include "app/view/cube_colors.h"
#include "app/view/cube_geometry.h"
#include "core/partition.h"

namespace normviz::app {
namespace {

const core::Shape kDefault{4, 6, 4, 4};
const glm::vec2 kViewport{640, 480};

TEST(CubeGeometry, DefaultShapeIsNotBinnedAndFitsTheBox) {
    const CubeGeometry g = make_cube_geometry(kDefault, false);
    EXPECT_FALSE(g.binned());
    EXPECT_EQ(g.voxel_count(), 4 * 6 * 4 * 4);
    EXPECT_EQ(g.rows(), 16);
    EXPECT_NEAR(std::max({g.hi.x - g.lo.x, g.hi.y - g.lo.y, g.hi.z - g.lo.z}), 2.0f, 1e-5f);
    EXPECT_NEAR(g.voxel.x * 4, g.hi.x - g.lo.x, 1e-5f);
    EXPECT_NEAR(g.voxel.y * 16, g.hi.y - g.lo.y, 1e-5f);
    EXPECT_NEAR(g.voxel.z * 6, g.hi.z - g.lo.z, 1e-5f);
}

TEST(CubeGeometry, VoxelBoxesTileTheBoxInPaperOrientation) {
    const CubeGeometry g = make_cube_geometry(kDefault, false);
    // n grows to the right, h·w downwards from the top, c into the screen (away from +z).
    const Box first = voxel_box(g, {0, 0, 0, 0});
    EXPECT_NEAR(first.lo.x, g.lo.x, 1e-5f);
    EXPECT_NEAR(first.hi.y, g.hi.y, 1e-5f);
    EXPECT_NEAR(first.hi.z, g.hi.z, 1e-5f);
    const Box last = voxel_box(g, {3, 5, 3, 3});
    EXPECT_NEAR(last.hi.x, g.hi.x, 1e-5f);
    EXPECT_NEAR(last.lo.y, g.lo.y, 1e-5f);
    EXPECT_NEAR(last.lo.z, g.lo.z, 1e-5f);
    // hw = h * W + w: (h=1, w=0) is the fifth row.
    EXPECT_NEAR(voxel_box(g, {0, 0, 1, 0}).hi.y, g.hi.y - 4 * g.voxel.y, 1e-5f);
}

TEST(CubeGeometry, SplitModeHasABlockPerSampleWithSquareTiles) {
    const CubeGeometry g = make_cube_geometry(kDefault, true);
    EXPECT_EQ(g.blocks(), 4);
    EXPECT_EQ(g.block_x(), 4);
    EXPECT_EQ(g.rows(), 4);
    EXPECT_NEAR(g.voxel.x, g.voxel.y, 1e-6f);
    const Box b0 = block_box(g, 0), b1 = block_box(g, 1);
    EXPECT_GT(b1.lo.x, b0.hi.x);  // a gap between samples
    EXPECT_NEAR(block_box(g, 3).hi.x, g.hi.x, 1e-5f);
    const Box v = voxel_box(g, {1, 0, 0, 2});  // n = 1, w = 2
    EXPECT_NEAR(v.lo.x, b1.lo.x + 2 * g.voxel.x, 1e-5f);
}

TEST(CubeGeometry, ElementOfVoxelOfIsIdentityWhenNotBinned) {
    for (bool split : {false, true}) {
        const CubeGeometry g = make_cube_geometry({2, 3, 2, 5}, split);
        for (int64_t n = 0; n < 2; ++n)
            for (int64_t c = 0; c < 3; ++c)
                for (int64_t h = 0; h < 2; ++h)
                    for (int64_t w = 0; w < 5; ++w) {
                        const core::Index i{n, c, h, w};
                        EXPECT_EQ(element_of(g, voxel_of(g, i)), i);
                    }
    }
}

TEST(CubeGeometry, LargeTensorIsBinnedAlongHWFirstAndBounded) {
    const core::Shape big{32, 256, 56, 56};
    const int64_t cap = 32768;  // a cap where all 8192 (n, c) pairs fit
    const CubeGeometry flat = make_cube_geometry(big, false, cap);
    EXPECT_LE(flat.voxel_count(), cap);
    EXPECT_EQ(flat.bin[0], 1);  // N and C stay exact: 8192 (n, c) pairs fit
    EXPECT_EQ(flat.bin[1], 1);
    EXPECT_EQ(flat.bin[3], 56);  // flat mode bins whole rows
    EXPECT_GT(flat.bin[2], 1);
    const CubeGeometry split = make_cube_geometry(big, true, cap);
    EXPECT_LE(split.voxel_count(), cap);
    EXPECT_EQ(split.bin[1], 1);
    EXPECT_GT(split.bin[2], 1);
    EXPECT_GT(split.bin[3], 1);
    // Even N·C alone too many: C and N are binned too.
    const CubeGeometry huge = make_cube_geometry({64, 2048, 7, 7}, false, cap);
    EXPECT_LE(huge.voxel_count(), cap);
    EXPECT_GT(huge.bin[1], 1);
}

bool in_range(const VoxelRange& r, const VoxelIndex& v) {
    for (int a = 0; a < 4; ++a)
        if (v[a] < r.lo[a] || v[a] >= r.lo[a] + r.counts[a]) return false;
    return true;
}

// Every voxel of a geometry, in (n, c, h, w) bin order.
template <typename Visit>
void for_each_voxel(const CubeGeometry& g, Visit visit) {
    for (int64_t n = 0; n < g.counts[0]; ++n)
        for (int64_t c = 0; c < g.counts[1]; ++c)
            for (int64_t h = 0; h < g.counts[2]; ++h)
                for (int64_t w = 0; w < g.counts[3]; ++w) visit(VoxelIndex{n, c, h, w});
}

// Checked element by element against the partition's keys.
TEST(CubeGeometry, GroupVoxelsHoldTheFocusGroupsElements) {
    const core::Shape shape{3, 6, 5, 7};
    for (int64_t cap : {int64_t{4096}, int64_t{40}, int64_t{3}}) {
        const CubeGeometry g = make_cube_geometry(shape, false, cap);
        for (const std::array<int64_t, 4>& block :
             {std::array<int64_t, 4>{1, 1, 1, 1}, {3, 1, 5, 7}, {1, 6, 5, 7}, {1, 2, 5, 7}, {1, 1, 5, 7}, {1, 6, 1, 1}})
            for (const core::Index& focus :
                 {core::Index{0, 0, 0, 0}, core::Index{2, 5, 4, 6}, core::Index{1, 3, 2, 1}}) {
                core::Partition p;
                p.shape = shape;
                p.block = block;
                std::vector<uint8_t> holds(static_cast<size_t>(g.voxel_count()), 0);
                for (int64_t n = 0; n < shape.N; ++n)
                    for (int64_t c = 0; c < shape.C; ++c)
                        for (int64_t h = 0; h < shape.H; ++h)
                            for (int64_t w = 0; w < shape.W; ++w)
                                if (p.same_group({n, c, h, w}, focus)) {
                                    const VoxelIndex v = voxel_of(g, {n, c, h, w});
                                    holds[((v[0] * g.counts[1] + v[1]) * g.counts[2] + v[2]) * g.counts[3] + v[3]] = 1;
                                }
                const VoxelRange r = group_voxels(g, p, focus);
                size_t i = 0;
                for_each_voxel(g, [&](const VoxelIndex& v) { EXPECT_EQ(in_range(r, v), holds[i++] != 0) << cap; });
            }
    }
}

Rgb rgb_at(const std::vector<float>& rgba, size_t voxel) {
    auto byte = [&](int k) { return static_cast<uint8_t>(std::lround(rgba[4 * voxel + k] * 255.0f)); };
    return {byte(0), byte(1), byte(2)};
}

bool same_rgb(Rgb a, Rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

TEST(CubeColors, RawValuesThroughThePaletteAndNonFiniteFlagged) {
    core::Tensor t = core::make_tensor({1, 1, 2, 2});
    t.data = {-2.0f, 0.5f, 4.0f, NAN};
    const CubeGeometry g = make_cube_geometry(t.shape, false);
    VoxelColoring how;
    how.center = 0.5f;
    how.half_range = 2.5f;  // -2 -> -1, 0.5 -> 0, 4 -> 1.4 (clamped to 1)
    const auto rgba = voxel_colors(voxel_values(t, g), g, core::Partition{t.shape}, {}, how);
    ASSERT_EQ(rgba.size(), 16u);
    EXPECT_TRUE(same_rgb(rgb_at(rgba, 0), palette_color(Palette::BlueRed, -1.0f)));
    EXPECT_TRUE(same_rgb(rgb_at(rgba, 1), palette_color(Palette::BlueRed, 0.0f)));
    EXPECT_TRUE(same_rgb(rgb_at(rgba, 2), palette_color(Palette::BlueRed, 1.0f)));
    for (size_t v = 0; v < 3; ++v) EXPECT_EQ(rgba[4 * v + 3], 1.0f);
    EXPECT_EQ(rgba[4 * 3 + 3], 0.0f);  // NaN: hatched, whatever its colour
    how.palette = Palette::BlueOrange;
    EXPECT_TRUE(same_rgb(rgb_at(voxel_colors(voxel_values(t, g), g, core::Partition{t.shape}, {}, how), 0),
                         palette_color(Palette::BlueOrange, -1.0f)));
}

// Normalized: each voxel by the statistics of its first element's group, as the grid shows it.
TEST(CubeColors, NormalizedValuesUseTheVoxelsGroup) {
    core::Tensor t = core::make_tensor({2, 1, 1, 4});
    t.data = {3.0f, 1.0f, 1.0f, 1.0f, 10.0f, 10.0f, 10.0f, 4.0f};
    core::Partition p{t.shape};
    p.block = {1, 1, 1, 4};  // a group per sample
    // Sample 0: mean 1, variance 4; sample 1: mean 10, variance 1 (eps 0).
    const std::vector<GroupTransform> transforms = {group_transform(1.0, 4.0, 0.0), group_transform(10.0, 1.0, 0.0)};
    VoxelColoring how;
    how.normalized = true;
    how.normalized_half_range = 3.0f;
    const CubeGeometry exact = make_cube_geometry(t.shape, false);
    const auto rgba = voxel_colors(voxel_values(t, exact), exact, p, transforms, how);
    EXPECT_TRUE(same_rgb(rgb_at(rgba, 0), palette_color(Palette::BlueRed, (3.0f - 1.0f) / 2.0f / 3.0f)));
    EXPECT_TRUE(same_rgb(rgb_at(rgba, 7), palette_color(Palette::BlueRed, (4.0f - 10.0f) / 1.0f / 3.0f)));
    // Two voxels per row: voxel (1, 0, 0, 1) averages 10 and 4 and takes sample 1's statistics.
    const CubeGeometry binned = make_cube_geometry(t.shape, false, 4);
    ASSERT_EQ(binned.bin[3], 2);
    const auto coarse = voxel_colors(voxel_values(t, binned), binned, p, transforms, how);
    EXPECT_TRUE(same_rgb(rgb_at(coarse, 3), palette_color(Palette::BlueRed, (7.0f - 10.0f) / 1.0f / 3.0f)));
}

TEST(CubeGeometry, VoxelValuesAreBinMeans) {
    core::Tensor t = core::make_tensor({1, 1, 2, 4});
    for (int i = 0; i < 8; ++i) t.data[i] = static_cast<float>(i);
    const CubeGeometry g = make_cube_geometry(t.shape, false, 2);  // two voxels: one per row
    ASSERT_EQ(g.voxel_count(), 2);
    const auto v = voxel_values(t, g);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_FLOAT_EQ(v[0], 1.5f);
    EXPECT_FLOAT_EQ(v[1], 5.5f);
    t.data[5] = NAN;
    EXPECT_TRUE(std::isnan(voxel_values(t, g)[1]));
    EXPECT_EQ(element_of(g, {0, 0, 1, 0}), (core::Index{0, 0, 1, 1}));  // middle of row 1
}

TEST(CubeCamera, FrontCameraProjectsTheOriginToTheCentre) {
    const CubeGeometry g = make_cube_geometry(kDefault, false);
    const CubeView v = make_cube_view({0, 0, 1}, g, kViewport);
    EXPECT_NEAR(v.eye.x, 0, 1e-5f);
    EXPECT_NEAR(v.eye.y, 0, 1e-5f);
    EXPECT_GT(v.eye.z, g.hi.z);
    const glm::vec2 c = project_to_screen(v, glm::vec3(0));
    EXPECT_NEAR(c.x, 320, 1e-3f);
    EXPECT_NEAR(c.y, 240, 1e-3f);
    // A point above the centre at the eye's depth offset d projects by the pinhole formula.
    const float d = v.eye.z, y = 0.5f;
    const glm::vec2 p = project_to_screen(v, glm::vec3(0, y, 0));
    const float expected = 240 - 240 * y / (d * std::tan(glm::radians(kCubeFovY) * 0.5f));
    EXPECT_NEAR(p.y, expected, 1e-2f);
    EXPECT_NEAR(p.x, 320, 1e-3f);
    // Screen y grows downwards; x to the right is +x (n grows to the right).
    EXPECT_GT(project_to_screen(v, glm::vec3(0.5f, 0, 0)).x, 320);
}

TEST(CubeCamera, FitDistanceKeepsTheCubeInsideTheViewport) {
    for (glm::vec2 vp : {glm::vec2(640, 480), glm::vec2(300, 700)}) {
        const CubeGeometry g = make_cube_geometry(kDefault, false);
        const CubeView v = make_cube_view({}, g, vp);
        for (int corner = 0; corner < 8; ++corner) {
            const glm::vec3 p((corner & 1) ? g.hi.x : g.lo.x, (corner & 2) ? g.hi.y : g.lo.y,
                              (corner & 4) ? g.hi.z : g.lo.z);
            const glm::vec2 s = project_to_screen(v, p);
            EXPECT_GE(s.x, 0);
            EXPECT_LE(s.x, vp.x);
            EXPECT_GE(s.y, 0);
            EXPECT_LE(s.y, vp.y);
        }
    }
}

TEST(CubeCamera, RayThroughAProjectedPointPassesThroughIt) {
    const CubeGeometry g = make_cube_geometry(kDefault, false);
    const CubeView v = make_cube_view({40, 30, 1.3f}, g, kViewport);
    const glm::vec3 target(0.2f, -0.3f, 0.1f);
    const Ray r = screen_ray(v, project_to_screen(v, target));
    EXPECT_NEAR(glm::length(r.direction), 1.0f, 1e-5f);
    const glm::vec3 to = target - r.origin;
    const float along = glm::dot(to, r.direction);
    EXPECT_LT(glm::length(to - along * r.direction), 1e-4f);
}

TEST(CubeCamera, RayBoxEntry) {
    const Box box{glm::vec3(-1), glm::vec3(1)};
    auto t = ray_box_entry({{0, 0, 5}, {0, 0, -1}}, box);
    ASSERT_TRUE(t);
    EXPECT_FLOAT_EQ(*t, 4.0f);
    EXPECT_FALSE(ray_box_entry({{0, 2, 5}, {0, 0, -1}}, box));  // parallel, above
    EXPECT_FALSE(ray_box_entry({{0, 0, 5}, {0, 0, 1}}, box));   // pointing away
    EXPECT_FALSE(ray_box_entry({{3, 0, 5}, glm::normalize(glm::vec3(0, 1, -1))}, box));
}

// Every voxel on a face the camera sees is picked back from the projection of its centre.
void expect_face_round_trip(bool split, CubeCamera cam, int face) {
    const CubeGeometry g = make_cube_geometry(kDefault, split);
    const CubeView v = make_cube_view(cam, g, kViewport);
    int checked = 0;
    for (int64_t n = 0; n < 4; ++n)
        for (int64_t c = 0; c < 6; ++c)
            for (int64_t h = 0; h < 4; ++h)
                for (int64_t w = 0; w < 4; ++w) {
                    const VoxelIndex vi{n, c, h, w};
                    const Box b = voxel_box(g, vi);
                    glm::vec3 p = b.center();
                    if (face == 0) {  // front: c = 0
                        if (c != 0) continue;
                        p.z = b.hi.z;
                    } else if (face == 1) {  // top: first row
                        if ((split ? h : h * 4 + w) != 0) continue;
                        p.y = b.hi.y;
                    } else {  // right: last x of its block
                        if ((split ? w : n) != 3) continue;
                        if (split && n != 3) continue;
                        p.x = b.hi.x;
                    }
                    auto picked = pick_element(g, v, project_to_screen(v, p));
                    ASSERT_TRUE(picked) << "voxel " << n << "," << c << "," << h << "," << w;
                    EXPECT_EQ(*picked, (core::Index{n, c, h, w}));
                    ++checked;
                }
    EXPECT_GT(checked, 0);
}

TEST(CubeCamera, PickFrontFaceDefaultCamera) { expect_face_round_trip(false, {}, 0); }
TEST(CubeCamera, PickTopFaceDefaultCamera) { expect_face_round_trip(false, {}, 1); }
TEST(CubeCamera, PickRightFaceDefaultCamera) { expect_face_round_trip(false, {}, 2); }
TEST(CubeCamera, PickFrontFaceStraightOn) { expect_face_round_trip(false, {0, 0, 1}, 0); }
TEST(CubeCamera, PickFromBelowAndLeftZoomed) { expect_face_round_trip(false, {-50, -35, 0.7f}, 0); }
TEST(CubeCamera, PickSplitModeFront) { expect_face_round_trip(true, {}, 0); }
TEST(CubeCamera, PickSplitModeTop) { expect_face_round_trip(true, {10, 60, 1.5f}, 1); }
TEST(CubeCamera, PickSplitModeRight) { expect_face_round_trip(true, {}, 2); }

TEST(CubeCamera, PickMissesOutsideTheCubeAndInSampleGaps) {
    const CubeGeometry flat = make_cube_geometry(kDefault, false);
    const CubeView far = make_cube_view({0, 0, 2}, flat, kViewport);
    EXPECT_FALSE(pick_element(flat, far, {2, 2}));
    EXPECT_TRUE(pick_element(flat, far, {320, 240}));
    // Straight on, the ray through the middle of the gap between sample blocks 1 and 2 (on
    // the axis, so it runs parallel to the blocks' sides) hits nothing.
    const CubeGeometry split = make_cube_geometry(kDefault, true);
    const CubeView front = make_cube_view({0, 0, 1}, split, kViewport);
    const float gap_x = 0.5f * (block_box(split, 1).hi.x + block_box(split, 2).lo.x);
    EXPECT_NEAR(gap_x, 0.0f, 1e-5f);
    const glm::vec2 s = project_to_screen(front, {gap_x, 0, split.hi.z});
    const auto hit = pick_element(split, front, s);
    EXPECT_FALSE(hit) << "pixel " << s.x << "," << s.y << " hit " << (hit ? core::to_string(*hit) : "");
}

TEST(CubeCamera, BinnedPickReturnsTheMiddleOfTheBin) {
    const core::Shape big{2, 3, 64, 64};
    const CubeGeometry g = make_cube_geometry(big, false, 6 * 8);  // 8 rows of 8 h each
    ASSERT_EQ(g.bin[3], 64);
    ASSERT_EQ(g.bin[2], 8);
    const CubeView v = make_cube_view({}, g, kViewport);
    const Box b = voxel_box(g, {1, 0, 2, 0});
    auto picked = pick_element(g, v, project_to_screen(v, {b.center().x, b.center().y, b.hi.z}));
    ASSERT_TRUE(picked);
    EXPECT_EQ(*picked, (core::Index{1, 0, 16 + 3, 31}));
}

TEST(CubeCamera, ClampKeepsAnglesAndDistanceInRange) {
    const CubeCamera c = clamp_camera({190, 120, 100});
    EXPECT_NEAR(c.yaw, -170, 1e-4f);
    EXPECT_EQ(c.pitch, 89);
    EXPECT_EQ(c.distance, 6);
    EXPECT_NEAR(clamp_camera({-190, 0, 1}).yaw, 170, 1e-4f);
}

}  // namespace
}  // namespace normviz::app
