// libFuzzer target for the scene JSON reader: app::parse_scene_json on the input as text.
// When it parses, the scene must survive a round trip: scene_to_json (indented and on one
// line) read back by parse_scene_json gives the same scene (same_scene). Every error is one
// printable line starting with the file name. It never opens a window or a file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/model/scene_io.h"
#include "core/assert.h"

namespace {

using namespace normviz;

const std::string kName = "fuzz.json";

void check_error(const core::Error& error) {
    NORMVIZ_ASSERT(!error.message.empty(), "an error has a message");
    NORMVIZ_ASSERT(error.message.rfind(kName, 0) == 0, "an error starts with the file name");
    for (char ch : error.message) {
        NORMVIZ_ASSERT(ch != '\n' && ch != '\r', "error messages are one line");
    }
}

void check_round_trip(const app::Scene& scene) {
    NORMVIZ_ASSERT(core::contains(scene.shape, scene.focus), "a parsed focus lies inside the shape");
    NORMVIZ_ASSERT(scene.shape.numel() <= app::kSceneMaxElements, "a parsed shape is bounded");
    NORMVIZ_ASSERT(scene.groups >= 1 && scene.shape.C % scene.groups == 0, "a parsed G divides C");
    for (int indent : {2, -1}) {
        const std::string text = app::scene_to_json(scene, indent);
        core::Result<app::Scene> again = app::parse_scene_json(text, kName);
        if (!again) check_error(again.error());
        NORMVIZ_ASSERT(again.ok(), "scene_to_json writes a scene parse_scene_json reads");
        NORMVIZ_ASSERT(app::same_scene(scene, again.value()), "the round trip keeps the scene");
        NORMVIZ_ASSERT(app::scene_to_json(again.value(), indent) == text, "the round trip is stable");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    core::Result<app::Scene> scene = app::parse_scene_json(text, kName);
    if (scene) {
        check_round_trip(scene.value());
    } else {
        check_error(scene.error());
    }
    return 0;
}
