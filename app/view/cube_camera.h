// The cube view's orbit camera and picking: camera -> view and projection matrices, a world
// point -> a screen pixel, a screen pixel -> a ray -> the first voxel it enters. Pure math
// (glm, no GL), so the click handling the user sees is the one the unit tests check.
#pragma once

#include <optional>

#include <glm/mat4x4.hpp>
#include <glm/vec2.hpp>
#include <glm/vec3.hpp>

#include "app/view/cube_geometry.h"

namespace normviz::app {

// Orbit camera shared by every cube (turn one and all turn). Angles in degrees: yaw turns
// about the vertical axis (0 looks at the front face, c = 0; positive shows the right face,
// n = N-1), pitch raises the eye (positive shows the top face). distance is in units of the
// distance that fits the cube into the viewport (1 fits, larger is farther).
struct CubeCamera {
    float yaw = 32;
    float pitch = 24;
    float distance = 1;
    bool operator==(const CubeCamera&) const = default;
};

inline constexpr float kCubeFovY = 30.0f;  // degrees, vertical field of view

// The matrices of one cube's viewport (width x height pixels).
struct CubeView {
    glm::mat4 view{1.0f}, projection{1.0f};
    glm::vec3 eye{0, 0, 1};
    glm::vec2 viewport{1, 1};
};

struct Ray {
    glm::vec3 origin, direction;  // direction has unit length
};

// The camera looking at the geometry's box (centred on the origin) in a viewport of
// `viewport` pixels.
CubeView make_cube_view(const CubeCamera& camera, const CubeGeometry& g, glm::vec2 viewport);

// World point -> pixel with (0, 0) at the viewport's top-left corner, y down.
glm::vec2 project_to_screen(const CubeView& view, glm::vec3 world);
// Pixel (top-left origin, y down) -> the ray from the eye through it.
Ray screen_ray(const CubeView& view, glm::vec2 pixel);

// Ray against an axis-aligned box (slab method): the entry distance t >= 0, if it hits.
std::optional<float> ray_box_entry(const Ray& ray, const Box& box);

// The first voxel the ray enters (the cube's surface; in the H/W mode, the nearest block).
std::optional<VoxelIndex> pick_voxel(const CubeGeometry& g, const Ray& ray);
// Screen point -> ray -> voxel -> the element it stands for; nothing off the cube.
std::optional<core::Index> pick_element(const CubeGeometry& g, const CubeView& view, glm::vec2 pixel);

// Clamps pitch to (-89, 89), yaw to [-180, 180), distance to [0.25, 6].
CubeCamera clamp_camera(CubeCamera camera);

}  // namespace normviz::app
