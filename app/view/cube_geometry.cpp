// Cube view geometry: bins (level of detail), box proportions, voxel boxes, binned values.
#include "app/view/cube_geometry.h"

#include <algorithm>
#include <cmath>

#include "core/assert.h"

namespace normviz::app {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

void update_counts(CubeGeometry& g) {
    const auto ext = g.shape.dims();
    for (int a = 0; a < 4; ++a) g.counts[a] = ceil_div(ext[a], g.bin[a]);
}

void coarsen(CubeGeometry& g, int axis) {
    g.bin[axis] = std::min(g.bin[axis] * 2, g.shape.dims()[axis]);
    update_counts(g);
}

// Length of a box side holding `count` voxels when the longest side holds `max_count`: a
// power well below 1 compresses long axes (the paper draws a cube whatever the extents),
// and no side gets thinner than 0.55 of the longest.
float compressed_length(double count, double max_count) {
    return static_cast<float>(std::max(0.55, std::pow(count / max_count, 0.25)));
}

}  // namespace

CubeGeometry make_cube_geometry(const core::Shape& shape, bool split_hw, int64_t max_voxels) {
    NORMVIZ_ASSERT(max_voxels >= 1, "cube needs room for one voxel");
    CubeGeometry g;
    g.shape = shape;
    g.split_hw = split_hw;
    update_counts(g);
    while (g.voxel_count() > max_voxels) {
        int64_t* c = g.counts.data();
        if (c[2] * c[3] > 1) {
            if (split_hw) coarsen(g, c[3] >= c[2] ? 3 : 2);
            else coarsen(g, c[3] > 1 ? 3 : 2);  // flat: bins never cross a row of W
        } else {
            coarsen(g, c[1] >= c[0] ? 1 : 0);
        }
    }
    const double blocks = static_cast<double>(g.blocks()), bx = static_cast<double>(g.block_x());
    g.gap = split_hw ? static_cast<float>(std::max(1.0, 0.3 * bx)) : 0.0f;
    const double x_count = split_hw ? blocks * bx + (blocks - 1) * g.gap : static_cast<double>(g.counts[0]);
    const double y_count = static_cast<double>(g.rows()), z_count = static_cast<double>(g.counts[1]);
    glm::vec3 length;
    if (split_hw) {
        // Square tiles: x and y share one voxel size.
        const double xy = std::max(x_count, y_count), m = std::max(xy, z_count);
        const float lxy = compressed_length(xy, m);
        length = {static_cast<float>(lxy * x_count / xy), static_cast<float>(lxy * y_count / xy),
                  compressed_length(z_count, m)};
    } else {
        const double m = std::max({x_count, y_count, z_count});
        length = {compressed_length(x_count, m), compressed_length(y_count, m), compressed_length(z_count, m)};
    }
    length *= 2.0f / std::max({length.x, length.y, length.z});
    g.voxel = {length.x / static_cast<float>(x_count), length.y / static_cast<float>(y_count),
               length.z / static_cast<float>(z_count)};
    g.hi = length * 0.5f;
    g.lo = -g.hi;
    return g;
}

VoxelIndex voxel_of(const CubeGeometry& g, const core::Index& index) {
    const auto i = index.coords();
    return {i[0] / g.bin[0], i[1] / g.bin[1], i[2] / g.bin[2], i[3] / g.bin[3]};
}

core::Index element_of(const CubeGeometry& g, const VoxelIndex& v) {
    const auto ext = g.shape.dims();
    int64_t e[4];
    for (int a = 0; a < 4; ++a) {
        const int64_t lo = v[a] * g.bin[a], hi = std::min(lo + g.bin[a], ext[a]);
        e[a] = lo + (hi - lo - 1) / 2;
    }
    return {e[0], e[1], e[2], e[3]};
}

Box voxel_box(const CubeGeometry& g, const VoxelIndex& v) {
    const float x_cells =
        g.split_hw ? static_cast<float>(v[0]) * (static_cast<float>(g.block_x()) + g.gap) + static_cast<float>(v[3])
                   : static_cast<float>(v[0]);
    const int64_t row = g.split_hw ? v[2] : v[2] * g.counts[3] + v[3];
    Box b;
    b.lo.x = g.lo.x + x_cells * g.voxel.x;
    b.hi.x = b.lo.x + g.voxel.x;
    b.hi.y = g.hi.y - static_cast<float>(row) * g.voxel.y;
    b.lo.y = b.hi.y - g.voxel.y;
    b.hi.z = g.hi.z - static_cast<float>(v[1]) * g.voxel.z;
    b.lo.z = b.hi.z - g.voxel.z;
    return b;
}

Box block_box(const CubeGeometry& g, int64_t b) {
    if (!g.split_hw) return {g.lo, g.hi};
    Box box{g.lo, g.hi};
    box.lo.x = g.lo.x + static_cast<float>(b) * (static_cast<float>(g.block_x()) + g.gap) * g.voxel.x;
    box.hi.x = box.lo.x + static_cast<float>(g.block_x()) * g.voxel.x;
    return box;
}

VoxelRange group_voxels(const CubeGeometry& g, const core::Partition& partition, const core::Index& focus) {
    const auto ext = g.shape.dims();
    const auto key = partition.key_of(focus).coords();
    const auto& block = partition.block;
    VoxelRange r;
    for (int a = 0; a < 4; ++a) {
        const int64_t first = key[a] * block[a], end = std::min(first + block[a], ext[a]);
        r.lo[a] = first / g.bin[a];
        r.counts[a] = ceil_div(end, g.bin[a]) - r.lo[a];
    }
    return r;
}

std::vector<float> voxel_values(const core::Tensor& tensor, const CubeGeometry& g) {
    if (!g.binned()) return {tensor.data.begin(), tensor.data.end()};
    const core::Shape& s = tensor.shape;
    const int64_t count = g.voxel_count();
    std::vector<double> sum(static_cast<size_t>(count), 0.0);
    std::vector<int64_t> num(static_cast<size_t>(count), 0);
    const float* x = tensor.data.data();
    for (int64_t n = 0; n < s.N; ++n)
        for (int64_t c = 0; c < s.C; ++c)
            for (int64_t h = 0; h < s.H; ++h) {
                const int64_t row =
                    ((n / g.bin[0] * g.counts[1] + c / g.bin[1]) * g.counts[2] + h / g.bin[2]) * g.counts[3];
                for (int64_t w = 0; w < s.W; ++w, ++x) {
                    const size_t v = static_cast<size_t>(row + w / g.bin[3]);
                    sum[v] += *x;
                    ++num[v];
                }
            }
    std::vector<float> out(static_cast<size_t>(count));
    for (size_t v = 0; v < out.size(); ++v) out[v] = static_cast<float>(sum[v] / static_cast<double>(num[v]));
    return out;
}

}  // namespace normviz::app
