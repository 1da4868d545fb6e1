// libFuzzer target for the settings file reader: app::parse_settings on the input as text.
// Whatever the text, what it leaves in the scene and Settings is a value the program can start with (a font
// size ImGui accepts, a finite eps, a G >= 1), and every ignored line is one printable line.
// It never opens a window or a file.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/model/settings.h"
#include "core/assert.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace normviz;
    const std::string text(reinterpret_cast<const char*>(data), size);
    app::Scene scene;
    const app::Settings settings = app::parse_settings(text, "settings.ini", scene);
    const float font = settings.font_size.value_or(16);
    NORMVIZ_ASSERT(std::isfinite(font) && font >= 8 && font <= 48, "the font size is one ImGui accepts");
    NORMVIZ_ASSERT(settings.window_width >= 64 && settings.window_width <= 16384 && settings.window_height >= 64 &&
                       settings.window_height <= 16384,
                   "the window size is in range");
    NORMVIZ_ASSERT(std::isfinite(scene.eps) && scene.eps >= 0, "eps is finite and >= 0");
    NORMVIZ_ASSERT(scene.groups >= 1, "G >= 1");
    NORMVIZ_ASSERT(core::validate_shape(scene.shape).ok(), "the shape is valid");
    NORMVIZ_ASSERT(!scene.compared.empty(), "at least one norm is compared");
    for (const std::string& line : settings.ignored) {
        NORMVIZ_ASSERT(line.rfind("settings.ini:", 0) == 0, "a message names the file");
        for (char ch : line) NORMVIZ_ASSERT(static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f, "one printable line");
    }
    return 0;
}
