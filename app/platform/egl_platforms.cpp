// The off-screen EGL plan: which displays to try, from the client extension string.
#include "app/platform/egl_platforms.h"

namespace normviz::app {

namespace {

// Whole-word match: "EGL_EXT_device_base" must not match inside a longer name.
bool has_extension(std::string_view list, std::string_view name) {
    for (size_t at = list.find(name); at != std::string_view::npos; at = list.find(name, at + 1)) {
        const bool starts = at == 0 || list[at - 1] == ' ';
        const size_t end = at + name.size();
        const bool ends = end == list.size() || list[end] == ' ';
        if (starts && ends) return true;
    }
    return false;
}

}  // namespace

EglPlan plan_egl_platforms(std::string_view ext) {
    EglPlan plan;
    const bool platform_base = has_extension(ext, "EGL_EXT_platform_base");
    const bool device_base = has_extension(ext, "EGL_EXT_device_base");
    const bool enumeration = device_base || has_extension(ext, "EGL_EXT_device_enumeration");
    const bool query = device_base || has_extension(ext, "EGL_EXT_device_query");
    const bool platform_device = has_extension(ext, "EGL_EXT_platform_device");
    std::string missing;
    auto lacks = [&](const char* name) { missing += std::string(missing.empty() ? "" : ", ") + name; };
    if (!platform_base) lacks("EGL_EXT_platform_base");
    if (!platform_device) lacks("EGL_EXT_platform_device");
    if (!enumeration && !query) lacks("EGL_EXT_device_base (or EGL_EXT_device_enumeration and EGL_EXT_device_query)");
    else if (!enumeration) lacks("EGL_EXT_device_enumeration (or EGL_EXT_device_base)");
    else if (!query) lacks("EGL_EXT_device_query (or EGL_EXT_device_base)");
    if (missing.empty()) {
        plan.platforms.push_back(EglPlatform::Device);
        plan.found = device_base ? "device platform (EGL_EXT_device_base)"
                                 : "device platform (EGL_EXT_device_enumeration, EGL_EXT_device_query)";
    } else {
        plan.found = "no device platform (no " + missing + ")";
    }
    if (platform_base && has_extension(ext, "EGL_MESA_platform_surfaceless")) {
        plan.platforms.push_back(EglPlatform::Surfaceless);
        plan.found += ", surfaceless platform";
    } else {
        plan.found += ", no surfaceless platform";
    }
    plan.platforms.push_back(EglPlatform::Default);
    return plan;
}

const char* egl_platform_name(EglPlatform platform) {
    switch (platform) {
        case EglPlatform::Device: return "device";
        case EglPlatform::Surfaceless: return "surfaceless";
        case EglPlatform::Default: return "default display";
    }
    return "?";
}

}  // namespace normviz::app
