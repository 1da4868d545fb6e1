// GLFW window + GL 3.3 core context + Dear ImGui (1.86, GLFW and OpenGL3 backends), or the
// off-screen EGL context with ImGui's OpenGL3 backend alone.
#include "app/platform/window.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <cstdlib>
#include <filesystem>

#include "app/platform/offscreen_context.h"
#include "app/platform/gl.h"
#include "core/safe_file.h"
// glfw3.h after the GL loader so it does not pull in the system GL header first.
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <stb_image_write.h>

namespace normviz::app {

namespace {

std::string g_glfw_error;

void on_glfw_error(int, const char* description) { g_glfw_error = description; }

const char* kFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

// The UI font (DejaVu Sans when present) at `size` pixels into `atlas`, built.
void add_ui_font(ImFontAtlas& atlas, float size) {
    // Latin, combining marks (x\u0302), Greek, punctuation and maths.
    static const ImWchar kRanges[] = {0x0020, 0x00FF, 0x0300, 0x03FF, 0x2010, 0x22FF, 0};
    if (std::filesystem::exists(kFontPath)) {
        atlas.AddFontFromFileTTF(kFontPath, size, nullptr, kRanges);
    } else {
        ImFontConfig config;
        config.SizePixels = size;
        atlas.AddFontDefault(&config);
    }
    atlas.Build();
}

bool has_display() {
    const char* display = std::getenv("DISPLAY");
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    return (display && *display) || (wayland && *wayland);
}

}  // namespace

Window::Window() = default;

core::Result<std::unique_ptr<Window>> Window::open(const WindowOptions& options) {
    if (!has_display()) {
        if (!options.visible) return open_offscreen(options);
        return core::make_error(
            "no display found (DISPLAY is not set); run under a desktop "
            "session, or headless with: xvfb-run -a normviz ...");
    }
    auto window = open_glfw(options);
    if (window || options.visible) return window;
    // A hidden window on a display that fails (a stale DISPLAY from ssh): off screen instead.
    auto offscreen = open_offscreen(options);
    if (offscreen) return offscreen;
    return core::make_error(window.error().message + "; and off screen: " + offscreen.error().message);
}

core::Result<std::unique_ptr<Window>> Window::open_offscreen(const WindowOptions& options) {
    auto context = OffscreenContext::create(options.width, options.height);
    if (!context)
        return core::make_error("no display found (DISPLAY is not set) and no off-screen OpenGL through EGL: " +
                                context.error().message + "; run with: xvfb-run -a normviz ...");
    if (epoxy_gl_version() < 33)
        return core::make_error("off-screen EGL gives OpenGL " + std::to_string(epoxy_gl_version() / 10) + "." +
                                std::to_string(epoxy_gl_version() % 10) + "; normviz needs 3.3 core");
    std::unique_ptr<Window> w(new Window());
    w->offscreen_ = std::move(context.value());
    w->start_imgui(options);
    return w;
}

core::Result<std::unique_ptr<Window>> Window::open_glfw(const WindowOptions& options) {
    glfwSetErrorCallback(on_glfw_error);
    if (!glfwInit())
        return core::make_error("cannot start GLFW: " + g_glfw_error +
                                "; check DISPLAY, or run with: xvfb-run -a normviz ...");
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
#ifndef NDEBUG
    glfwWindowHint(GLFW_OPENGL_DEBUG_CONTEXT, GLFW_TRUE);
#endif
    glfwWindowHint(GLFW_VISIBLE, options.visible ? GLFW_TRUE : GLFW_FALSE);
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
    std::unique_ptr<Window> w(new Window());
    w->window_ = glfwCreateWindow(options.width, options.height, options.title.c_str(), nullptr, nullptr);
    if (!w->window_) {
        std::string why = g_glfw_error;
        glfwTerminate();
        return core::make_error("cannot open a window with OpenGL 3.3 core (" + why +
                                "); normviz needs OpenGL 3.3; try LIBGL_ALWAYS_SOFTWARE=1 for Mesa's "
                                "software renderer");
    }
    glfwMakeContextCurrent(w->window_);
    if (epoxy_gl_version() < 33) {
        return core::make_error("OpenGL " + std::to_string(epoxy_gl_version() / 10) + "." +
                                std::to_string(epoxy_gl_version() % 10) +
                                " found; normviz needs OpenGL 3.3 core; try LIBGL_ALWAYS_SOFTWARE=1");
    }
    glfwSwapInterval(options.vsync ? 1 : 0);
    glfwSetWindowUserPointer(w->window_, w.get());
    glfwSetDropCallback(w->window_, &Window::on_drop);
    w->install_activity_callbacks();
    w->start_imgui(options);
    return w;
}

void Window::start_imgui(const WindowOptions& options) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ini_path_ = options.imgui_ini_path;
    ImGui::GetIO().IniFilename = ini_path_.empty() ? nullptr : ini_path_.c_str();
    ImGui::StyleColorsDark();
    if (window_) ImGui_ImplGlfw_InitForOpenGL(window_, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");
    imgui_started_ = true;
}

Window::~Window() {
    if (imgui_started_) {
        ImGui_ImplOpenGL3_Shutdown();
        if (window_) ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
    }
    const bool glfw = !offscreen_;
    offscreen_.reset();
    if (window_) glfwDestroyWindow(window_);
    if (glfw) glfwTerminate();
}

void Window::on_drop(GLFWwindow* window, int count, const char** paths) {
    auto* self = static_cast<Window*>(glfwGetWindowUserPointer(window));
    for (int i = 0; i < count; ++i) self->dropped_.emplace_back(paths[i]);
    self->activity_ = true;
}

namespace {
Window* owner(GLFWwindow* window) { return static_cast<Window*>(glfwGetWindowUserPointer(window)); }
}  // namespace

void Window::install_activity_callbacks() {
    // Each callback marks activity; ImGui_ImplGlfw (installed after) calls these first.
    glfwSetCursorPosCallback(window_, [](GLFWwindow* w, double, double) { owner(w)->activity_ = true; });
    glfwSetMouseButtonCallback(window_, [](GLFWwindow* w, int, int, int) { owner(w)->activity_ = true; });
    glfwSetScrollCallback(window_, [](GLFWwindow* w, double, double) { owner(w)->activity_ = true; });
    glfwSetKeyCallback(window_, [](GLFWwindow* w, int key, int, int action, int mods) {
        owner(w)->activity_ = true;
        if (action != GLFW_RELEASE) owner(w)->key_presses_.emplace_back(key, mods);
    });
    glfwSetCharCallback(window_, [](GLFWwindow* w, unsigned int) { owner(w)->activity_ = true; });
    glfwSetWindowFocusCallback(window_, [](GLFWwindow* w, int) { owner(w)->activity_ = true; });
    glfwSetCursorEnterCallback(window_, [](GLFWwindow* w, int) { owner(w)->activity_ = true; });
    glfwSetFramebufferSizeCallback(window_, [](GLFWwindow* w, int, int) { owner(w)->activity_ = true; });
    glfwSetWindowRefreshCallback(window_, [](GLFWwindow* w) { owner(w)->activity_ = true; });
    glfwSetWindowIconifyCallback(window_, [](GLFWwindow* w, int) { owner(w)->activity_ = true; });
}

bool Window::take_activity() { return std::exchange(activity_, false); }

void Window::window_size(int& width, int& height) const {
    if (offscreen_) {
        width = offscreen_->width(), height = offscreen_->height();
        return;
    }
    glfwGetWindowSize(window_, &width, &height);
}

// Off screen there are no events: nothing to wait for, never closed, never minimized.
bool Window::should_close() const { return window_ && glfwWindowShouldClose(window_); }
bool Window::iconified() const { return window_ && glfwGetWindowAttrib(window_, GLFW_ICONIFIED) != 0; }
void Window::wait_events(double timeout_seconds) {
    if (window_) glfwWaitEventsTimeout(timeout_seconds);
}
void Window::poll_events() {
    if (window_) glfwPollEvents();
}
void Window::wake() {
    if (window_) glfwPostEmptyEvent();
}

float Window::content_scale() const {
    if (!window_) return 1.0f;
    float x = 1, y = 1;
    glfwGetWindowContentScale(window_, &x, &y);
    return std::max(1.0f, std::max(x, y));
}

void Window::set_font_size(float pixel_size) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    add_ui_font(*io.Fonts, pixel_size * content_scale());
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
}

void Window::toggle_fullscreen() {
    if (!window_) return;
    GLFWmonitor* monitor = glfwGetWindowMonitor(window_);
    if (monitor) {
        glfwSetWindowMonitor(window_, nullptr, windowed_x_, windowed_y_, windowed_w_, windowed_h_, 0);
        return;
    }
    glfwGetWindowPos(window_, &windowed_x_, &windowed_y_);
    glfwGetWindowSize(window_, &windowed_w_, &windowed_h_);
    GLFWmonitor* primary = glfwGetPrimaryMonitor();
    if (!primary) return;
    const GLFWvidmode* mode = glfwGetVideoMode(primary);
    glfwSetWindowMonitor(window_, primary, 0, 0, mode->width, mode->height, mode->refreshRate);
}

void Window::begin_frame() {
    ImGui_ImplOpenGL3_NewFrame();
    if (window_) {
        ImGui_ImplGlfw_NewFrame();
    } else {  // what the GLFW backend would set, for a fixed-size surface with no input
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = ImVec2(static_cast<float>(offscreen_->width()), static_cast<float>(offscreen_->height()));
        io.DisplayFramebufferScale = ImVec2(1, 1);
        io.DeltaTime = 1.0f / 60.0f;
    }
    ImGui::NewFrame();
}

void Window::render_ui() {
    ImGui::Render();
    int width = 0, height = 0;
    framebuffer_size(width, height);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, width, height);
    glDisable(GL_SCISSOR_TEST);
    glClearColor(0.09f, 0.09f, 0.10f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

std::vector<unsigned char> Window::draw_offscreen(int width, int height, float font_px,
                                                  const std::function<void()>& draw) {
    ImGuiContext* window_context = ImGui::GetCurrentContext();
    const ImGuiStyle style = ImGui::GetStyle();
    const float window_font = ImGui::GetFontSize();
    ImFontAtlas atlas;
    add_ui_font(atlas, font_px);
    ImGuiContext* context = ImGui::CreateContext(&atlas);
    ImGui::SetCurrentContext(context);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
    io.DisplayFramebufferScale = ImVec2(1, 1);
    io.DeltaTime = 1.0f / 60.0f;
    ImGui::GetStyle() = style;
    if (window_font > 0) ImGui::GetStyle().ScaleAllSizes(font_px / window_font);
    ImGui_ImplOpenGL3_Init("#version 330 core");
    ImGui_ImplOpenGL3_NewFrame();  // the context's own shader and font texture
    ImGui::NewFrame();
    draw();
    ImGui::Render();

    GLuint fbo = 0, color = 0;
    glGenFramebuffers(1, &fbo);
    glGenRenderbuffers(1, &color);
    glBindRenderbuffer(GL_RENDERBUFFER, color);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color);
    glViewport(0, 0, width, height);
    glDisable(GL_SCISSOR_TEST);
    glClearColor(0.09f, 0.09f, 0.10f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    std::vector<unsigned char> pixels(static_cast<size_t>(width) * height * 4);
    glReadBuffer(GL_COLOR_ATTACHMENT0);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glDeleteRenderbuffers(1, &color);
    glDeleteFramebuffers(1, &fbo);

    ImGui_ImplOpenGL3_Shutdown();
    ImGui::DestroyContext(context);
    ImGui::SetCurrentContext(window_context);
    // GL's rows start at the bottom; PNG's at the top.
    const size_t row = static_cast<size_t>(width) * 4;
    for (int y = 0; y < height / 2; ++y)
        std::swap_ranges(pixels.begin() + y * row, pixels.begin() + (y + 1) * row,
                         pixels.begin() + (height - 1 - y) * row);
    for (size_t i = 3; i < pixels.size(); i += 4) pixels[i] = 255;  // opaque, whatever blending left
    return pixels;
}

void Window::swap() {
    if (window_) glfwSwapBuffers(window_);
}

void Window::framebuffer_size(int& width, int& height) const {
    if (offscreen_) return window_size(width, height);
    glfwGetFramebufferSize(window_, &width, &height);
}

std::vector<std::pair<int, int>> Window::take_key_presses() { return std::exchange(key_presses_, {}); }

std::vector<std::string> Window::take_dropped_paths() { return std::exchange(dropped_, {}); }

std::vector<unsigned char> read_framebuffer(int width, int height) {
    std::vector<unsigned char> pixels(static_cast<size_t>(width) * height * 4);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
    glReadBuffer(GL_BACK);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    // GL's rows start at the bottom; PNG's at the top.
    const size_t row = static_cast<size_t>(width) * 4;
    for (int y = 0; y < height / 2; ++y)
        std::swap_ranges(pixels.begin() + y * row, pixels.begin() + (y + 1) * row,
                         pixels.begin() + (height - 1 - y) * row);
    return pixels;
}

core::Status write_png(const std::string& path, const std::vector<unsigned char>& rgba, int width, int height) {
    // Encoded in memory first: stb's file writer ignores fwrite's and fclose's errors.
    std::string png;
    auto append = [](void* context, void* data, int size) {
        static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
    };
    if (!stbi_write_png_to_func(append, &png, width, height, 4, rgba.data(), width * 4))
        return core::make_error("cannot encode " + path + " as PNG (" + std::to_string(width) + "x" +
                                std::to_string(height) + " pixels); choose a smaller size");
    return core::write_file_safely(path, png);
}

}  // namespace normviz::app
