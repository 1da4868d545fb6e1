// EGL through libepoxy (which also loads GL from the EGL context): the device platform
// (EGL_EXT_platform_device) gives a display without any window system.
#include "app/offscreen_context.h"

#include <epoxy/egl.h>
#include <epoxy/gl.h>

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

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

// libepoxy aborts the program when a library or entry point it needs is missing; check
// everything it will reach for, so that a missing piece is an error message instead.
bool egl_usable(std::string& why) {
    if (!library_present("libEGL.so.1")) {
        why = "libEGL.so.1 is not installed";
        return false;
    }
    if (!library_present("libOpenGL.so.0") && !library_present("libGL.so.1")) {
        why = "neither libOpenGL.so.0 nor libGL.so.1 is installed";
        return false;
    }
    for (const char* extension : {"EGL_EXT_platform_device", "EGL_EXT_device_enumeration", "EGL_EXT_device_query"}) {
        if (!epoxy_has_egl_extension(EGL_NO_DISPLAY, extension)) {
            why = std::string("this EGL has no ") + extension;
            return false;
        }
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
    if (!egl_usable(why)) return core::make_error(why);
    const std::vector<EGLDeviceEXT> devices = devices_in_order();
    if (devices.empty()) return core::make_error("EGL lists no device");
    // The whole set-up per device: one that initializes may still lack a pbuffer or 3.3 core
    // (a display-only GPU), and the next (Mesa's llvmpipe) may have them.
    for (EGLDeviceEXT device : devices) {
        std::unique_ptr<OffscreenContext> c(new OffscreenContext());
        if (auto ok = c->start(device, width, height)) return c;
        else why = ok.error().message;
    }
    return core::make_error(why);
}

core::Status OffscreenContext::start(void* device, int width, int height) {
    width_ = width;
    height_ = height;
    const EGLDisplay display = eglGetPlatformDisplayEXT(EGL_PLATFORM_DEVICE_EXT, device, nullptr);
    EGLint major = 0, minor = 0;
    if (display == EGL_NO_DISPLAY || !eglInitialize(display, &major, &minor))
        return core::make_error("no EGL device initializes (" + egl_error_text() + ")");
    display_ = display;
    const EGLint config_attributes[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
                                        EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_ALPHA_SIZE, 8,
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
    const EGLint context_attributes[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
                                         EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                                         EGL_NONE};
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
