// EGL through libepoxy (which also loads GL from the EGL context): the device platform
// (EGL_EXT_platform_device) gives a display without any window system.
#include "app/offscreen_context.h"

#include <epoxy/egl.h>
#include <epoxy/gl.h>

#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <vector>

namespace normviz::app {

namespace {

std::string egl_error_text() {
    char text[32];
    std::snprintf(text, sizeof text, "EGL error 0x%04x", static_cast<unsigned>(eglGetError()));
    return text;
}

bool is_software_device(EGLDeviceEXT device) {
    const char* extensions = eglQueryDeviceStringEXT(device, EGL_EXTENSIONS);
    return extensions && std::strstr(extensions, "EGL_MESA_device_software");
}

// An initialized display on the first hardware device that initializes, else on a software
// one; EGL_NO_DISPLAY when none does.
EGLDisplay open_device_display(std::string& why) {
    // libepoxy aborts the program when it cannot load libEGL; look first.
    void* egl = dlopen("libEGL.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (!egl) {
        why = "libEGL.so.1 is not installed";
        return EGL_NO_DISPLAY;
    }
    dlclose(egl);
    if (!epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_EXT_platform_device")) {
        why = "this EGL has no EGL_EXT_platform_device";
        return EGL_NO_DISPLAY;
    }
    EGLint count = 0;
    if (!eglQueryDevicesEXT(0, nullptr, &count) || count <= 0) {
        why = "EGL lists no device";
        return EGL_NO_DISPLAY;
    }
    std::vector<EGLDeviceEXT> devices(static_cast<size_t>(count));
    eglQueryDevicesEXT(count, devices.data(), &count);
    for (bool software : {false, true}) {
        for (EGLint i = 0; i < count; ++i) {
            if (is_software_device(devices[i]) != software) continue;
            EGLDisplay display = eglGetPlatformDisplayEXT(EGL_PLATFORM_DEVICE_EXT, devices[i], nullptr);
            EGLint major = 0, minor = 0;
            if (display != EGL_NO_DISPLAY && eglInitialize(display, &major, &minor)) return display;
        }
    }
    why = "no EGL device initializes (" + egl_error_text() + ")";
    return EGL_NO_DISPLAY;
}

}  // namespace

core::Result<std::unique_ptr<OffscreenContext>> OffscreenContext::create(int width, int height) {
    std::string why;
    const EGLDisplay display = open_device_display(why);
    if (display == EGL_NO_DISPLAY) return core::make_error(why);
    std::unique_ptr<OffscreenContext> c(new OffscreenContext());
    c->display_ = display;
    c->width_ = width;
    c->height_ = height;

    const EGLint config_attributes[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
                                        EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_ALPHA_SIZE, 8,
                                        EGL_NONE};
    EGLConfig config = nullptr;
    EGLint configs = 0;
    if (!eglChooseConfig(display, config_attributes, &config, 1, &configs) || configs == 0)
        return core::make_error("EGL offers no RGBA8 pbuffer for desktop OpenGL");
    const EGLint surface_attributes[] = {EGL_WIDTH, width, EGL_HEIGHT, height, EGL_NONE};
    c->surface_ = eglCreatePbufferSurface(display, config, surface_attributes);
    if (c->surface_ == EGL_NO_SURFACE)
        return core::make_error("cannot create a " + std::to_string(width) + "x" + std::to_string(height) +
                                " EGL pbuffer (" + egl_error_text() + ")");
    if (!eglBindAPI(EGL_OPENGL_API)) return core::make_error("EGL cannot bind desktop OpenGL");
    const EGLint context_attributes[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
                                         EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                                         EGL_NONE};
    c->context_ = eglCreateContext(display, config, EGL_NO_CONTEXT, context_attributes);
    if (c->context_ == EGL_NO_CONTEXT)
        return core::make_error("EGL gives no OpenGL 3.3 core context (" + egl_error_text() + ")");
    if (!eglMakeCurrent(display, c->surface_, c->surface_, c->context_))
        return core::make_error("cannot make the EGL context current (" + egl_error_text() + ")");
    return c;
}

OffscreenContext::~OffscreenContext() {
    if (!display_) return;
    eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    if (context_) eglDestroyContext(display_, context_);
    if (surface_) eglDestroySurface(display_, surface_);
    eglTerminate(display_);
}

}  // namespace normviz::app
