// The colour of each cube voxel, computed here once per tensor, statistics and colour
// settings, so that the cube shader fetches one texel per pixel of the translucent shell
// (instead of a value, its group's statistics and the palette: a third of a frame on a
// software renderer). A focus change changes none of them.
#pragma once

#include <vector>

#include "app/view/colormap.h"
#include "app/view/cube_geometry.h"
#include "core/partition.h"

namespace normviz::app {

struct VoxelColoring {
    bool normalized = false;
    float center = 0, half_range = 1;  // raw values colour as (x - center) / half_range
    float normalized_half_range = 3;   // normalized values as y / normalized_half_range
    Palette palette = Palette::BlueRed;
};

// RGBA per voxel (0..1), in (n, c, h, w) bin order: the palette colour of the voxel's value,
// raw or normalized by the group of the voxel's first element (transforms: one per group of
// `partition`, see group_transform); alpha 0 where the shown value is NaN or Inf (hatched).
// Precondition: values.size() == g.voxel_count(); normalized needs a transform per group.
std::vector<float> voxel_colors(const std::vector<float>& values, const CubeGeometry& g,
                                const core::Partition& partition, const std::vector<GroupTransform>& transforms,
                                const VoxelColoring& how);

}  // namespace normviz::app
