// Remembered between runs: window size, text size and the last scene, in a small key=value
// file under $XDG_CONFIG_HOME/normviz (or ~/.config/normviz).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/model/scene.h"
#include "core/result.h"

namespace normviz::app {

// The settings file is a few hundred bytes; a larger one is not ours.
inline constexpr uint64_t kMaxSettingsBytes = 64 * 1024;

struct Settings {
    bool loaded = false;
    int window_width = 1400, window_height = 900;
    std::optional<float> font_size;    // the text size, when the file gave one
    std::vector<std::string> ignored;  // one sentence per line that was not used, for stderr
};

// Reads the settings file into the scene and Settings; a line with an unknown key or a value
// that is not exactly one the key takes (NaN, "18px", out of range) is ignored and named in
// Settings::ignored, the default kept.
Settings load_settings(Scene& scene);
// The same for the text of a settings file named `name` (for messages).
Settings parse_settings(const std::string& text, const std::string& name, Scene& scene);
// Writes the settings file through core/safe_file.h; the caller reports a failure.
// `tensor_shape`: the shape that loaded (a typed shape that failed is not remembered).
core::Status save_settings(const Scene& scene, const core::Shape& tensor_shape, float font_size, int window_width,
                           int window_height);

}  // namespace normviz::app
