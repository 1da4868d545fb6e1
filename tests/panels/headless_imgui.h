// A Dear ImGui context with no platform or renderer backend (the 1.86 example_null pattern),
// and one frame of the desktop program's panels without the GL canvas, for panel tests.
#pragma once

#include <imgui.h>
#include <imgui_internal.h>

#include <GLFW/glfw3.h>

#include <algorithm>
#include <functional>
#include <string>

#include "app/state/app_state.h"
#include "app/ui/panels.h"

namespace normviz::test {

class HeadlessImGui {
public:
    HeadlessImGui() {
        IMGUI_CHECKVERSION();
        context_ = ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = ImVec2(1400, 900);
        io.DeltaTime = 1.0f / 60.0f;
        io.IniFilename = nullptr;
        io.LogFilename = nullptr;
        io.ClipboardUserData = &captured_;
        io.SetClipboardTextFn = [](void* user, const char* text) { *static_cast<std::string*>(user) += text; };
        io.GetClipboardTextFn = [](void* user) { return static_cast<std::string*>(user)->c_str(); };
        unsigned char* pixels = nullptr;
        int width = 0, height = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);  // builds the atlas
        // The key map ImGui_ImplGlfw_Init sets in 1.86: KeysDown[] is indexed by GLFW key codes.
        io.KeyMap[ImGuiKey_Tab] = GLFW_KEY_TAB;
        io.KeyMap[ImGuiKey_LeftArrow] = GLFW_KEY_LEFT;
        io.KeyMap[ImGuiKey_RightArrow] = GLFW_KEY_RIGHT;
        io.KeyMap[ImGuiKey_UpArrow] = GLFW_KEY_UP;
        io.KeyMap[ImGuiKey_DownArrow] = GLFW_KEY_DOWN;
        io.KeyMap[ImGuiKey_PageUp] = GLFW_KEY_PAGE_UP;
        io.KeyMap[ImGuiKey_PageDown] = GLFW_KEY_PAGE_DOWN;
        io.KeyMap[ImGuiKey_Home] = GLFW_KEY_HOME;
        io.KeyMap[ImGuiKey_End] = GLFW_KEY_END;
        io.KeyMap[ImGuiKey_Insert] = GLFW_KEY_INSERT;
        io.KeyMap[ImGuiKey_Delete] = GLFW_KEY_DELETE;
        io.KeyMap[ImGuiKey_Backspace] = GLFW_KEY_BACKSPACE;
        io.KeyMap[ImGuiKey_Space] = GLFW_KEY_SPACE;
        io.KeyMap[ImGuiKey_Enter] = GLFW_KEY_ENTER;
        io.KeyMap[ImGuiKey_Escape] = GLFW_KEY_ESCAPE;
        io.KeyMap[ImGuiKey_KeyPadEnter] = GLFW_KEY_KP_ENTER;
        io.KeyMap[ImGuiKey_A] = GLFW_KEY_A;
        io.KeyMap[ImGuiKey_C] = GLFW_KEY_C;
        io.KeyMap[ImGuiKey_V] = GLFW_KEY_V;
        io.KeyMap[ImGuiKey_X] = GLFW_KEY_X;
        io.KeyMap[ImGuiKey_Y] = GLFW_KEY_Y;
        io.KeyMap[ImGuiKey_Z] = GLFW_KEY_Z;
    }
    ~HeadlessImGui() { ImGui::DestroyContext(context_); }
    HeadlessImGui(const HeadlessImGui&) = delete;
    HeadlessImGui& operator=(const HeadlessImGui&) = delete;

    // One frame: NewFrame, `body`, Render. ImGui's own asserts (in libimgui.a) abort on a
    // protocol mistake such as a missing End().
    void frame(const std::function<void()>& body) {
        ImGui::NewFrame();
        body();
        ImGui::Render();
    }

    // The desktop frame (app/desktop/desktop.cpp draw_frame) without the GL canvas and the window.
    void app_frame(app::AppState& state) {
        frame([&] { draw_app(state); });
    }

    // One app frame with a key press queued as the window queues GLFW's key events (with
    // the modifiers), and also held down in ImGui's io for that frame, then one idle frame.
    void press(app::AppState& state, int key, bool shift = false, bool ctrl = false) {
        ImGuiIO& io = ImGui::GetIO();
        io.KeyShift = shift;
        io.KeyCtrl = ctrl;
        io.KeysDown[key] = true;
        state.key_presses.push_back({key, (shift ? GLFW_MOD_SHIFT : 0) | (ctrl ? GLFW_MOD_CONTROL : 0)});
        app_frame(state);
        io.KeysDown[key] = false;
        io.KeyShift = false;
        io.KeyCtrl = false;
        app_frame(state);
    }

    // Text the panels rendered in one app frame, to check what the user would read; clipped
    // items are not rendered, so not captured. ImGui's log goes to the clipboard (our
    // callback); End() of a top-level window finishes the log, so each panel is captured on
    // its own.
    std::string app_frame_text(app::AppState& state) {
        std::string text;
        auto capture = [&text, this](const std::function<void()>& draw) {
            captured_.clear();
            ImGui::LogToClipboard();
            draw();
            ImGui::LogFinish();  // no-op when the panel's End() already finished it
            text += captured_;
            text += "\n";
        };
        frame([&] {
            app::UiFrameHooks hooks;
            hooks.canvas = [](app::AppState&, const app::FrameLayout& layout) { draw_canvas_stand_in(layout); };
            hooks.around = [&capture](const char*, const std::function<void()>& draw) { capture(draw); };
            app::draw_ui_frame(state, hooks);
        });
        return text;
    }

    // As app/desktop/frame.cpp draw_frame, without the window and GL: the canvas area is an empty
    // window with the same name and flags, so window focus behaves as in the program.
    static void draw_app(app::AppState& state) {
        app::UiFrameHooks hooks;
        hooks.canvas = [](app::AppState&, const app::FrameLayout& layout) { draw_canvas_stand_in(layout); };
        app::draw_ui_frame(state, hooks);
    }

    static void draw_canvas_stand_in(const app::FrameLayout& frame) {
        const ImGuiIO& io = ImGui::GetIO();
        ImGui::SetNextWindowPos(ImVec2(frame.left, frame.menu_height));
        ImGui::SetNextWindowSize(ImVec2(std::max(1.0f, io.DisplaySize.x - frame.left - frame.right),
                                        std::max(1.0f, io.DisplaySize.y - frame.menu_height)));
        ImGui::Begin("##canvas_area", nullptr,
                     ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                         ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse);
        ImGui::End();
    }

private:
    ImGuiContext* context_ = nullptr;
    std::string captured_;  // what the log wrote to the "clipboard"
};

// An AppState as the program starts it: generated tensor, derived data up to date.
inline app::AppState make_state() {
    app::AppState state;
    app::regenerate_tensor(state);
    app::update_derived(state);
    return state;
}

}  // namespace normviz::test
