// Scenes as small JSON files: what the user set up (shape, data, norms, G, eps, axes, focus,
// view, palette, colour scale, teaching scenario, lesson step, grid or cube picture), saved
// and opened again, and the format the shipped lessons use for their steps.
#pragma once

#include <optional>
#include <string>

#include "app/model/scene.h"
#include "core/result.h"

namespace normviz::app {

// Version written in "normviz_scene"; a file without that field is not a scene.
inline constexpr int kSceneFormatVersion = 1;
// Largest tensor a scene may generate (2^27 values, 512 MiB of floats).
inline constexpr int64_t kSceneMaxElements = int64_t{1} << 27;
// Largest scene or lesson file read (1 MiB): anything bigger is not one of ours.
inline constexpr size_t kSceneMaxFileBytes = size_t{1} << 20;

// Parses a scene. `name` (a file name) starts every error message. Every field but
// "normviz_scene" is optional (missing ones keep Scene's defaults); unknown fields, wrong
// types, unknown norm or generator names, invalid shapes, shapes over kSceneMaxElements, a
// focus outside the shape, devices or lengths that do not fit the shape are one-line errors.
// Never throws.
core::Result<Scene> parse_scene_json(const std::string& text, const std::string& name);

// The scene as JSON that parse_scene_json reads back to an equal scene (indent: spaces per
// level; < 0 gives one line). data_path is written as given.
std::string scene_to_json(const Scene& scene, int indent = 2);

// Reads and parses a scene file; a relative data_path inside it is taken relative to the
// file's folder. Errors: unreadable, too big, not JSON, not a scene.
core::Result<Scene> read_scene_file(const std::string& path);
// Writes the scene to `path` (through a temporary file, so a failed write leaves no partial
// file). Error names the path.
core::Status write_scene_file(const std::string& path, const Scene& scene);

bool same_scene(const Scene& a, const Scene& b);

// "grid", "cube", "cube-hw": as a scene's "picture" and --view name them.
const char* picture_name(Picture picture);
std::optional<Picture> parse_picture(const std::string& name);

}  // namespace normviz::app
