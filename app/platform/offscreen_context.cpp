// EGL through libepoxy (which also loads GL from the EGL context): the device platform
// (EGL_EXT_platform_device) gives a display without any window system; Mesa's surfaceless
// platform and the default display are tried where it is missing (app/platform/egl_platforms.h).
#include "app/platform/offscreen_context.h"

#include <epoxy/egl.h>
#include <epoxy/gl.h>

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "app/platform/egl_platforms.h"

namespace normviz::app {

namespace {

std::string egl_error_text() {
    char text[32];
    std::snprintf(text, sizeof text, "EGL error 0x%04x", static_cast<unsigned>(eglGetError()));
    return text;
}

bool library_present(const char* name) {
    void* handle = dlopen(name, RTLD_LAZY | RTLD_LOCAL);
    if (handle) dlclose(handle);
    return handle != nullptr;
}

// libepoxy aborts the program when a library or entry point it needs is missing; check the
// libraries here and each platform's extensions in plan_egl_platforms, so that a missing
// piece is an error message instead.
bool libraries_present(std::string& why) {
    if (!library_present("libEGL.so.1")) {
        why = "libEGL.so.1 is not installed";
        return false;
    }
    if (!library_present("libOpenGL.so.0") && !library_present("libGL.so.1")) {
        why = "neither libOpenGL.so.0 nor libGL.so.1 is installed";
        return false;
    }
    return true;
}

bool is_software_device(EGLDeviceEXT device) {
    const char* extensions = eglQueryDeviceStringEXT(device, EGL_EXTENSIONS);
    return extensions && std::strstr(extensions, "EGL_MESA_device_software");
}

// EGL's devices in the order to try them: hardware first, unless LIBGL_ALWAYS_SOFTWARE asks
// for Mesa's software renderer (as it does for GLX).
std::vector<EGLDeviceEXT> devices_in_order() {
    EGLint count = 0;
    if (!eglQueryDevicesEXT(0, nullptr, &count) || count <= 0) return {};
    std::vector<EGLDeviceEXT> devices(static_cast<size_t>(count));
    if (!eglQueryDevicesEXT(count, devices.data(), &count)) return {};
    devices.resize(static_cast<size_t>(count));
    const char* software = std::getenv("LIBGL_ALWAYS_SOFTWARE");
    const bool software_first = software && *software && std::strcmp(software, "0") != 0;
    std::stable_partition(devices.begin(), devices.end(),
                          [&](EGLDeviceEXT d) { return is_software_device(d) == software_first; });
    return devices;
}

}  // namespace

core::Result<std::unique_ptr<OffscreenContext>> OffscreenContext::create(int width, int height) {
    std::string why;
    if (!libraries_present(why)) return core::make_error(why);
    const char* extensions = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);  // null before EGL 1.5
    const EglPlan plan = plan_egl_platforms(extensions ? extensions : "");
    // The whole set-up per display: one that initializes may still lack a pbuffer or 3.3 core
    // (a display-only GPU), and the next (Mesa's llvmpipe) may have them.
    std::string failures;
    auto attempt = [&](EglPlatform platform, void* display) -> std::unique_ptr<OffscreenContext> {
        std::unique_ptr<OffscreenContext> c(new OffscreenContext());
        if (auto ok = c->start(display, width, height)) return c;
        else
            failures +=
                std::string(failures.empty() ? "" : "; ") + egl_platform_name(platform) + ": " + ok.error().message;
        return nullptr;
    };
    for (EglPlatform platform : plan.platforms) {
        if (platform == EglPlatform::Device) {
            const std::vector<EGLDeviceEXT> devices = devices_in_order();
            if (devices.empty()) failures += std::string(failures.empty() ? "" : "; ") + "device: EGL lists no device";
            for (EGLDeviceEXT device : devices)
                if (auto c = attempt(platform, eglGetPlatformDisplayEXT(EGL_PLATFORM_DEVICE_EXT, device, nullptr)))
                    return c;
        } else if (platform == EglPlatform::Surfaceless) {
            if (auto c = attempt(platform,
                                 eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr)))
                return c;
        } else if (auto c = attempt(platform, eglGetDisplay(EGL_DEFAULT_DISPLAY))) {
            return c;
        }
    }
    return core::make_error(failures + " (EGL offers: " + plan.found + ")");
}

core::Status OffscreenContext::start(void* display, int width, int height) {
    width_ = width;
    height_ = height;
    EGLint major = 0, minor = 0;
    if (display == EGL_NO_DISPLAY || !eglInitialize(display, &major, &minor))
        return core::make_error("the display does not initialize (" + egl_error_text() + ")");
    display_ = display;
    const EGLint config_attributes[] = {EGL_SURFACE_TYPE,
                                        EGL_PBUFFER_BIT,
                                        EGL_RENDERABLE_TYPE,
                                        EGL_OPENGL_BIT,
                                        EGL_RED_SIZE,
                                        8,
                                        EGL_GREEN_SIZE,
                                        8,
                                        EGL_BLUE_SIZE,
                                        8,
                                        EGL_ALPHA_SIZE,
                                        8,
                                        EGL_NONE};
    EGLConfig config = nullptr;
    EGLint configs = 0;
    if (!eglChooseConfig(display, config_attributes, &config, 1, &configs) || configs == 0)
        return core::make_error("EGL offers no RGBA8 pbuffer for desktop OpenGL");
    const EGLint surface_attributes[] = {EGL_WIDTH, width, EGL_HEIGHT, height, EGL_NONE};
    surface_ = eglCreatePbufferSurface(display, config, surface_attributes);
    if (surface_ == EGL_NO_SURFACE)
        return core::make_error("cannot create a " + std::to_string(width) + "x" + std::to_string(height) +
                                " EGL pbuffer (" + egl_error_text() + ")");
    if (!eglBindAPI(EGL_OPENGL_API)) return core::make_error("EGL cannot bind desktop OpenGL");
    const EGLint context_attributes[] = {
        EGL_CONTEXT_MAJOR_VERSION,           3,       EGL_CONTEXT_MINOR_VERSION, 3, EGL_CONTEXT_OPENGL_PROFILE_MASK,
        EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
    context_ = eglCreateContext(display, config, EGL_NO_CONTEXT, context_attributes);
    if (context_ == EGL_NO_CONTEXT)
        return core::make_error("EGL gives no OpenGL 3.3 core context (" + egl_error_text() + ")");
    if (!eglMakeCurrent(display, surface_, surface_, context_))
        return core::make_error("cannot make the EGL context current (" + egl_error_text() + ")");
    return core::Ok{};
}

OffscreenContext::~OffscreenContext() {
    if (!display_) return;
    eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    if (context_ != EGL_NO_CONTEXT) eglDestroyContext(display_, context_);
    if (surface_ != EGL_NO_SURFACE) eglDestroySurface(display_, surface_);
    eglTerminate(display_);
}

}  // namespace normviz::app
