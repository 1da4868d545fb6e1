// Orbit camera, projection and ray picking of the cube view.
#include "app/view/cube_camera.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <glm/gtc/matrix_transform.hpp>
#include <glm/geometric.hpp>
#include <glm/mat4x4.hpp>

namespace normviz::app {

CubeView make_cube_view(const CubeCamera& camera, const CubeGeometry& g, glm::vec2 viewport) {
    CubeView v;
    v.viewport = {std::max(viewport.x, 1.0f), std::max(viewport.y, 1.0f)};
    const float aspect = v.viewport.x / v.viewport.y;
    const float radius = std::max(0.5f * glm::length(g.hi - g.lo), 1e-3f);
    const float half_v = glm::radians(kCubeFovY) * 0.5f;
    const float half_h = std::atan(std::tan(half_v) * aspect);
    // At distance 1 the bounding sphere touches the narrower side of the viewport less a
    // margin of about a tenth, room for the axis labels.
    const float fit = 1.1f * radius / std::sin(std::min(half_v, half_h));
    const float d = fit * std::max(camera.distance, 1e-3f);
    const float yaw = glm::radians(camera.yaw), pitch = glm::radians(camera.pitch);
    v.eye = glm::vec3(std::cos(pitch) * std::sin(yaw), std::sin(pitch), std::cos(pitch) * std::cos(yaw)) * d;
    v.view = glm::lookAt(v.eye, glm::vec3(0.0f), glm::vec3(0, 1, 0));
    const float near_plane = std::max(0.01f * d, d - 1.5f * radius);
    const float far_plane = d + 2.0f * radius;
    v.projection = glm::perspective(2.0f * half_v, aspect, near_plane, far_plane);
    return v;
}

glm::vec2 project_to_screen(const CubeView& view, glm::vec3 world) {
    const glm::vec4 clip = view.projection * view.view * glm::vec4(world, 1.0f);
    const glm::vec2 ndc = glm::vec2(clip) / clip.w;
    return {(ndc.x * 0.5f + 0.5f) * view.viewport.x, (0.5f - ndc.y * 0.5f) * view.viewport.y};
}

Ray screen_ray(const CubeView& view, glm::vec2 pixel) {
    const glm::vec2 ndc(2.0f * pixel.x / view.viewport.x - 1.0f, 1.0f - 2.0f * pixel.y / view.viewport.y);
    const glm::mat4 inverse = glm::inverse(view.projection * view.view);
    glm::vec4 far_point = inverse * glm::vec4(ndc, 1.0f, 1.0f);
    far_point /= far_point.w;
    return {view.eye, glm::normalize(glm::vec3(far_point) - view.eye)};
}

std::optional<float> ray_box_entry(const Ray& ray, const Box& box) {
    float t0 = 0, t1 = std::numeric_limits<float>::max();
    for (int a = 0; a < 3; ++a) {
        const float o = ray.origin[a], d = ray.direction[a];
        if (std::fabs(d) < 1e-12f) {
            if (o < box.lo[a] || o > box.hi[a]) return std::nullopt;
            continue;
        }
        float ta = (box.lo[a] - o) / d, tb = (box.hi[a] - o) / d;
        if (ta > tb) std::swap(ta, tb);
        t0 = std::max(t0, ta);
        t1 = std::min(t1, tb);
        if (t0 > t1) return std::nullopt;
    }
    return t0;
}

std::optional<VoxelIndex> pick_voxel(const CubeGeometry& g, const Ray& ray) {
    std::optional<float> best;
    int64_t best_block = 0;
    for (int64_t b = 0; b < g.blocks(); ++b) {
        auto t = ray_box_entry(ray, block_box(g, b));
        if (t && (!best || *t < *best)) {
            best = t;
            best_block = b;
        }
    }
    if (!best) return std::nullopt;
    const Box box = block_box(g, best_block);
    const glm::vec3 p = ray.origin + ray.direction * *best;
    auto cell = [](float offset, float size, int64_t count) {
        return std::clamp<int64_t>(static_cast<int64_t>(std::floor(offset / size)), 0, count - 1);
    };
    const int64_t x = cell(p.x - box.lo.x, g.voxel.x, g.split_hw ? g.block_x() : g.counts[0]);
    const int64_t row = cell(box.hi.y - p.y, g.voxel.y, g.rows());
    const int64_t c = cell(box.hi.z - p.z, g.voxel.z, g.counts[1]);
    if (g.split_hw) return VoxelIndex{best_block, c, row, x};
    return VoxelIndex{x, c, row / g.counts[3], row % g.counts[3]};
}

std::optional<core::Index> pick_element(const CubeGeometry& g, const CubeView& view, glm::vec2 pixel) {
    auto v = pick_voxel(g, screen_ray(view, pixel));
    if (!v) return std::nullopt;
    return element_of(g, *v);
}

CubeCamera clamp_camera(CubeCamera camera) {
    camera.pitch = std::clamp(camera.pitch, -89.0f, 89.0f);
    camera.yaw = std::fmod(camera.yaw + 180.0f, 360.0f);
    if (camera.yaw < 0) camera.yaw += 360.0f;
    camera.yaw -= 180.0f;
    camera.distance = std::clamp(camera.distance, 0.25f, 6.0f);
    return camera;
}

}  // namespace normviz::app
