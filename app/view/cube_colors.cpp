// Voxel colours for the cube view: the float arithmetic the shader used to do per vertex.
#include "app/view/cube_colors.h"

#include <cmath>

#include "core/assert.h"

namespace normviz::app {

std::vector<float> voxel_colors(const std::vector<float>& values, const CubeGeometry& g,
                                const core::Partition& partition, const std::vector<GroupTransform>& transforms,
                                const VoxelColoring& how) {
    NORMVIZ_ASSERT(static_cast<int64_t>(values.size()) == g.voxel_count(), "a value per voxel");
    NORMVIZ_ASSERT(!how.normalized || static_cast<int64_t>(transforms.size()) == partition.group_count(),
                   "a transform per group");
    std::vector<float> rgba(values.size() * 4);
    size_t i = 0;
    for (int64_t n = 0; n < g.counts[0]; ++n)
        for (int64_t c = 0; c < g.counts[1]; ++c)
            for (int64_t h = 0; h < g.counts[2]; ++h)
                for (int64_t w = 0; w < g.counts[3]; ++w, ++i) {
                    const float x = values[i];
                    float shown = x, t;
                    if (how.normalized) {
                        const core::Index first{n * g.bin[0], c * g.bin[1], h * g.bin[2], w * g.bin[3]};
                        const GroupTransform& tr = transforms[static_cast<size_t>(partition.group_of(first))];
                        shown = (x * tr.pre - tr.shift) * tr.scale;
                        t = shown / how.normalized_half_range;
                    } else {
                        t = (x - how.center) / how.half_range;
                    }
                    const Rgb color = palette_color(how.palette, t);  // NaN shows as 0 under the hatching
                    rgba[4 * i] = color.r / 255.0f;
                    rgba[4 * i + 1] = color.g / 255.0f;
                    rgba[4 * i + 2] = color.b / 255.0f;
                    rgba[4 * i + 3] = std::isfinite(shown) ? 1.0f : 0.0f;
                }
    return rgba;
}

}  // namespace normviz::app
