// An OpenGL 3.3 core context on an EGL pbuffer, with no window system at all: `normviz render`
// and `bench-render` use it where there is no display (a server, a GPU machine without X), so
// they need neither X nor xvfb-run there. A hardware EGL device is preferred over Mesa's
// software one; where EGL has no device platform, Mesa's surfaceless platform and then the
// default display are tried.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"

namespace normviz::app {

class OffscreenContext {
public:
    // Creates the pbuffer (its default framebuffer is width x height, RGBA8) and makes the
    // context current. Error: one line naming what failed (no EGL, no device, no GL 3.3).
    static core::Result<std::unique_ptr<OffscreenContext>> create(int width, int height);
    ~OffscreenContext();
    OffscreenContext(const OffscreenContext&) = delete;
    OffscreenContext& operator=(const OffscreenContext&) = delete;

    int width() const { return width_; }
    int height() const { return height_; }

private:
    OffscreenContext() = default;
    // Initializes `display` (an EGLDisplay, EGL_NO_DISPLAY allowed) and makes the pbuffer and
    // the current context on it.
    core::Status start(void* display, int width, int height);
    // EGLDisplay, EGLSurface, EGLContext: opaque here so that EGL's headers stay in the .cpp.
    void* display_ = nullptr;
    void* surface_ = nullptr;
    void* context_ = nullptr;
    int width_ = 0, height_ = 0;
};

}  // namespace normviz::app
