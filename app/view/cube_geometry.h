// Where each element of an (N, C, H, W) tensor sits in the cube view, in world units: the
// Group Normalization paper's figure (Wu & He 2018, Fig. 2) with N along x, H·W along y (top
// row first) and C along z (c = 0 at the front). In the H/W mode each sample is its own block
// of W x H x C voxels, blocks side by side along x. Large tensors are binned (level of
// detail): one voxel stands for a box of elements, so the voxel count stays bounded. Pure
// math (no GL), shared by the renderer, picking, labels and tests.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <glm/vec3.hpp>

#include "core/partition.h"
#include "core/shape.h"
#include "core/tensor.h"

namespace normviz::app {

// Voxels the cube view draws at most (per cube); larger tensors are binned.
inline constexpr int64_t kCubeMaxVoxels = 4096;

struct CubeGeometry {
    core::Shape shape;
    bool split_hw = false;                      // true: H and W apart (a block per sample)
    std::array<int64_t, 4> bin{1, 1, 1, 1};     // elements per voxel along N, C, H, W
    std::array<int64_t, 4> counts{1, 1, 1, 1};  // voxels along N, C, H, W: ceil(extent / bin)
    float gap = 0;                              // voxels between sample blocks along x (H/W mode)
    glm::vec3 voxel{1, 1, 1};                   // world size of one voxel
    glm::vec3 lo{0, 0, 0}, hi{0, 0, 0};         // world bounding box, centred on the origin

    int64_t voxel_count() const { return counts[0] * counts[1] * counts[2] * counts[3]; }
    bool binned() const { return bin[0] * bin[1] * bin[2] * bin[3] > 1; }
    // Voxels along x in one block (flat: 1; H/W: counts[3]) and along y (flat: H·W bins).
    int64_t block_x() const { return split_hw ? counts[3] : 1; }
    int64_t rows() const { return split_hw ? counts[2] : counts[2] * counts[3]; }
    int64_t blocks() const { return split_hw ? counts[0] : 1; }
};

// Voxel coordinates (bins) of one element or of one drawn voxel: n, c, h, w in bins.
using VoxelIndex = std::array<int64_t, 4>;

// The geometry of `shape`: bins chosen so that at most `max_voxels` voxels are drawn (H·W
// is binned first, whole rows at a time in the flat mode, then the larger of C and N), box
// proportions compressed so that a long axis does not flatten the others.
// Precondition: validate_shape(shape) passed, max_voxels >= 1.
CubeGeometry make_cube_geometry(const core::Shape& shape, bool split_hw, int64_t max_voxels = kCubeMaxVoxels);

// The voxel that holds element `index`. Precondition: contains(shape, index).
VoxelIndex voxel_of(const CubeGeometry& g, const core::Index& index);
// The element a voxel stands for: the middle of its bin (exact when not binned).
core::Index element_of(const CubeGeometry& g, const VoxelIndex& v);

// World box of one voxel.
struct Box {
    glm::vec3 lo, hi;
    glm::vec3 center() const { return (lo + hi) * 0.5f; }
};
Box voxel_box(const CubeGeometry& g, const VoxelIndex& v);
// World box of sample block `b` (the whole cube in the flat mode, b = 0).
Box block_box(const CubeGeometry& g, int64_t b);

// A box of voxels: `counts` voxels along N, C, H, W from `lo` (bins). The renderer draws the
// group with one instance per voxel of its range, not one per voxel of the cube.
struct VoxelRange {
    VoxelIndex lo{0, 0, 0, 0};
    VoxelIndex counts{0, 0, 0, 0};
    int64_t size() const { return counts[0] * counts[1] * counts[2] * counts[3]; }
};
// The voxels that hold at least one element of the group of `partition` holding `focus`.
VoxelRange group_voxels(const CubeGeometry& g, const core::Partition& partition, const core::Index& focus);

// Mean of the elements of each voxel (NaN and Inf propagate), in (n, c, h, w) bin order:
// the values the renderer uploads. Not binned: a copy of the tensor's data.
std::vector<float> voxel_values(const core::Tensor& tensor, const CubeGeometry& g);

}  // namespace normviz::app
