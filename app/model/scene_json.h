// Internal: a scene from an already parsed JSON object, shared by scene_io.cpp and the
// lesson reader (a lesson step carries a scene without the "normviz_scene" marker).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "app/model/scene.h"
#include "core/result.h"

namespace normviz::app {

// Fields of `object` over `base` (defaults for what is missing). `require_marker`: the
// object must carry "normviz_scene": kSceneFormatVersion. Never throws.
core::Result<Scene> scene_from_json(const nlohmann::json& object, const std::string& name, bool require_marker,
                                    const Scene& base = Scene{});

}  // namespace normviz::app
