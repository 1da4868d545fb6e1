// The GLFW window, its OpenGL 3.3 core context, and Dear ImGui bound to both; or, for a
// hidden window where there is no display, an off-screen EGL context of the same size with
// ImGui and no input (OffscreenContext).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

struct GLFWwindow;

namespace normviz::app {

class OffscreenContext;

struct WindowOptions {
    int width = 1400, height = 900;
    bool visible = true;  // false: a hidden window for off-screen rendering (EGL without a display)
    bool vsync = true;
    std::string title = "normviz";
    std::string imgui_ini_path;  // empty: ImGui keeps no ini file
};

class Window {
public:
    // Opens the window and a GL 3.3 core context, loads GL with libepoxy, starts ImGui.
    // Errors: no display (and, for a hidden window, no EGL either), no GL 3.3, window
    // creation failed; each one line with a fix.
    static core::Result<std::unique_ptr<Window>> open(const WindowOptions& options);
    ~Window();
    Window(const Window&) = delete;
    Window& operator=(const Window&) = delete;

    bool should_close() const;
    bool iconified() const;
    // Blocks until events arrive when idle (timeout in seconds), polls when animating.
    void wait_events(double timeout_seconds);
    void poll_events();
    // Wakes wait_events from another thread.
    void wake();
    // Whether this is the off-screen EGL context (no window system, no input).
    bool offscreen() const { return offscreen_ != nullptr; }
    // Sets the UI font (DejaVu Sans when present) at `pixel_size` times the monitor's
    // content scale; rebuilds the font atlas. Call between frames.
    void set_font_size(float pixel_size);
    float content_scale() const;
    void toggle_fullscreen();
    void begin_frame();
    // Renders ImGui's draw data into the default framebuffer (does not swap).
    void render_ui();
    // For an export: `draw` (ImGui calls) as one frame of a separate ImGui context, never
    // shown: a width x height display, no mouse, the window's style scaled to text of
    // `font_px` pixels. Renders it into an off-screen framebuffer and returns its RGBA
    // pixels, top row first. The window's own ImGui state (open popups, focus, its font) is
    // untouched. Call between frames (after swap).
    std::vector<unsigned char> draw_offscreen(int width, int height, float font_px, const std::function<void()>& draw);
    void swap();
    void framebuffer_size(int& width, int& height) const;
    void window_size(int& width, int& height) const;
    // Whether any input or window event arrived since the last call.
    bool take_activity();
    // Key presses (and repeats) since the last call, in order, with their modifiers.
    std::vector<std::pair<int, int>> take_key_presses();
    // Paths dropped onto the window since the last call.
    std::vector<std::string> take_dropped_paths();

private:
    Window();
    static core::Result<std::unique_ptr<Window>> open_glfw(const WindowOptions& options);
    static core::Result<std::unique_ptr<Window>> open_offscreen(const WindowOptions& options);
    void start_imgui(const WindowOptions& options);
    GLFWwindow* window_ = nullptr;
    std::unique_ptr<OffscreenContext> offscreen_;
    std::vector<std::string> dropped_;
    std::vector<std::pair<int, int>> key_presses_;
    int windowed_x_ = 0, windowed_y_ = 0, windowed_w_ = 0, windowed_h_ = 0;
    std::string ini_path_;
    bool imgui_started_ = false;
    bool activity_ = true;

    static void on_drop(GLFWwindow* window, int count, const char** paths);
    // Installed before ImGui's callbacks (which chain to them): they only note activity.
    void install_activity_callbacks();
};

// Reads the default framebuffer's back buffer (before swap) as RGBA rows, top row first.
std::vector<unsigned char> read_framebuffer(int width, int height);
// Writes RGBA pixels as PNG. Error names the path.
core::Status write_png(const std::string& path, const std::vector<unsigned char>& rgba, int width, int height);

}  // namespace normviz::app
