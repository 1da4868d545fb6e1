// Which EGL displays to try for off-screen rendering, decided from EGL's client extension
// string alone (no EGL call), so the rule is testable with made-up strings. Drivers name the
// same abilities differently: NVIDIA's EGL advertises EGL_EXT_device_base, which contains
// EGL_EXT_device_enumeration and EGL_EXT_device_query, and not those two names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace normviz::app {

enum class EglPlatform {
    Device,       // EGL_EXT_platform_device over an enumerated device (a GPU without a display)
    Surfaceless,  // EGL_MESA_platform_surfaceless (Mesa with no window system)
    Default,      // eglGetDisplay(EGL_DEFAULT_DISPLAY), the driver's own choice
};

struct EglPlan {
    std::vector<EglPlatform> platforms;  // in the order to try; Default always comes last
    // What the extension string offered, for the error line when every platform fails:
    // "device platform (EGL_EXT_device_base)", "no device platform (no EGL_EXT_platform_device)".
    std::string found;
};

// The plan for `client_extensions` (eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS), names
// separated by spaces). The device platform needs EGL_EXT_platform_base, EGL_EXT_platform_device
// and device enumeration and query (EGL_EXT_device_base, or both separate names); surfaceless
// needs EGL_EXT_platform_base and EGL_MESA_platform_surfaceless.
EglPlan plan_egl_platforms(std::string_view client_extensions);

// "device", "surfaceless", "default display": names in error lines.
const char* egl_platform_name(EglPlatform platform);

}  // namespace normviz::app
