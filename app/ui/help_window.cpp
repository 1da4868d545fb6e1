// The shortcuts window and the keyboard handling it documents (one table, so they agree).
#include <imgui.h>

#include <GLFW/glfw3.h>
#include <algorithm>

#include "app/state/file_browser.h"
#include "app/ui/panels.h"

namespace normviz::app {

namespace {

struct Shortcut {
    const char* keys;
    const char* action;
};

constexpr Shortcut kShortcuts[] = {
    {"Click", "make a cell the focus (in any panel)"},
    {"Left / Right", "move the focus along W"},
    {"Up / Down", "move the focus along H"},
    {"Shift + Left / Right", "move the focus along C"},
    {"Shift + Up / Down", "move the focus along N"},
    {"V", "compare norms / single norm"},
    {"Tab / Shift+Tab", "next / previous norm (single view)"},
    {"1 .. 7", "single view of BatchNorm .. Custom"},
    {"Space", "raw / normalized values"},
    {"P", "colour-blind safe palette"},
    {"C", "next colour scale of raw values (symmetric, min-max, 1-99 %, per channel)"},
    {"N", "focus the next NaN or Inf after the focus (memory order)"},
    {"Wheel, + / -", "zoom"},
    {"Drag", "pan"},
    {"0", "fit the picture to the window (cube: reset the camera)"},
    {"K", "cube view / grid view"},
    {"Shift + K", "cube: H and W apart / H\u00b7W as one axis"},
    {"Drag (cube)", "turn every cube"},
    {"Ctrl + = / Ctrl + -", "larger / smaller text"},
    {"F2 / F3", "controls / statistics sidebar"},
    {"F4", "channels: mean, std, min, max, zeros, NaN, Inf per channel (click a row: focus it)"},
    {"F6", "arithmetic: the focus's group worked out stage by stage (sum, mean, variance, x\u0302, y)"},
    {", / .", "arithmetic: previous / next stage"},
    {"F7", "tokens x features: one row per token, one column per feature (sequence data)"},
    {"Ctrl + O", "open an array file (.npy, .npz, .safetensors) from a file browser"},
    {"F5", "presenter mode: large text, high contrast, full screen (Esc leaves)"},
    {"PageDown / PageUp", "next / previous lesson step (a presentation clicker sends these)"},
    {"Shift + PageDown / PageUp", "next / previous lesson"},
    {"L", "pointer: a large ring that follows the mouse (for a projector)"},
    {"Q", "quiz: predict which cells are pooled, Enter reveals"},
    {"F11", "full screen"},
    {"F12", "save the window as PNG"},
    {"F1", "this help"},
    {"Ctrl + Q", "quit"},
};

}  // namespace

void draw_help_window(AppState& state) {
    if (!state.show_help) return;
    ImGui::SetNextWindowPos(ImVec2(ImGui::GetIO().DisplaySize.x * 0.5f, ImGui::GetIO().DisplaySize.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    if (ImGui::Begin("Shortcuts##help", &state.show_help,
                     ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
        if (ImGui::BeginTable("##shortcuts", 2, ImGuiTableFlags_RowBg)) {
            for (const Shortcut& s : kShortcuts) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(s.keys);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(s.action);
            }
            ImGui::EndTable();
        }
    }
    ImGui::End();
}

// One key press (with the modifiers GLFW reported with it).
static void handle_key(AppState& state, int key, int mods) {
    const ImGuiIO& io = ImGui::GetIO();
    auto pressed = [key](int k) { return key == k; };
    const bool shift = (mods & GLFW_MOD_SHIFT) != 0, ctrl = (mods & GLFW_MOD_CONTROL) != 0;
    // Function keys and Ctrl+Q work even while a text field has the keyboard.
    if (pressed(GLFW_KEY_F1)) state.show_help = !state.show_help;
    if (pressed(GLFW_KEY_F2)) state.show_controls = !state.show_controls;
    if (pressed(GLFW_KEY_F3)) state.show_stats = !state.show_stats;
    if (pressed(GLFW_KEY_F4)) state.channels.show = !state.channels.show;
    if (pressed(GLFW_KEY_F6)) state.arithmetic.show = !state.arithmetic.show;
    if (pressed(GLFW_KEY_F7)) state.tokens.show = !state.tokens.show;
    if (pressed(GLFW_KEY_F11)) state.fullscreen_requested = true;
    if (pressed(GLFW_KEY_F12)) state.screenshot_requested = true;
    if (ctrl && pressed(GLFW_KEY_Q)) state.quit_requested = true;
    if (io.WantCaptureKeyboard) return;
    Scene& scene = state.scene;
    if (ctrl) {
        if (pressed(GLFW_KEY_EQUAL) || pressed(GLFW_KEY_KP_ADD))
            state.font_size = std::min(40.0f, state.font_size + 2), state.font_dirty = true;
        if (pressed(GLFW_KEY_MINUS) || pressed(GLFW_KEY_KP_SUBTRACT))
            state.font_size = std::max(10.0f, state.font_size - 2), state.font_dirty = true;
        if (pressed(GLFW_KEY_O)) open_file_browser(state);
        return;
    }
    if (pressed(GLFW_KEY_RIGHT)) move_focus(state, shift ? core::Axis::C : core::Axis::W, +1);
    if (pressed(GLFW_KEY_LEFT)) move_focus(state, shift ? core::Axis::C : core::Axis::W, -1);
    if (pressed(GLFW_KEY_DOWN)) move_focus(state, shift ? core::Axis::N : core::Axis::H, +1);
    if (pressed(GLFW_KEY_UP)) move_focus(state, shift ? core::Axis::N : core::Axis::H, -1);
    if (pressed(GLFW_KEY_V)) scene.single_view = !scene.single_view;
    if (pressed(GLFW_KEY_TAB)) {
        const int count = static_cast<int>(std::size(core::kAllNormKinds));
        int k = static_cast<int>(scene.single_norm) + (shift ? count - 1 : 1);
        scene.single_norm = core::kAllNormKinds[k % count];
        scene.single_view = true;
    }
    for (int k = 0; k < 7 && !state.classroom.quiz.active; ++k)  // in a quiz, 1 to 4 answer
        if (pressed(GLFW_KEY_1 + k)) {
            scene.single_norm = core::kAllNormKinds[k];
            scene.single_view = true;
        }
    if (pressed(GLFW_KEY_SPACE)) scene.show_normalized = !scene.show_normalized;
    if (pressed(GLFW_KEY_P))
        scene.palette = scene.palette == Palette::BlueRed ? Palette::BlueOrange : Palette::BlueRed;
    if (pressed(GLFW_KEY_C)) {
        const int count = static_cast<int>(std::size(kAllColorScales));
        scene.color_scale = kAllColorScales[(static_cast<int>(scene.color_scale) + (shift ? count - 1 : 1)) % count];
    }
    if (pressed(GLFW_KEY_N)) focus_next_non_finite(state);
    if (state.arithmetic.show && (pressed(GLFW_KEY_PERIOD) || pressed(GLFW_KEY_COMMA)))
        state.arithmetic.stage = std::clamp(state.arithmetic.stage + (pressed(GLFW_KEY_PERIOD) ? 1 : -1), 0,
                                            core::kArithmeticStages - 1);
    if (pressed(GLFW_KEY_EQUAL) || pressed(GLFW_KEY_KP_ADD)) state.camera.zoom_steps += 1;
    if (pressed(GLFW_KEY_MINUS) || pressed(GLFW_KEY_KP_SUBTRACT)) state.camera.zoom_steps -= 1;
    if (pressed(GLFW_KEY_0)) state.camera.needs_fit = true;
    if (pressed(GLFW_KEY_0)) state.cube_camera = CubeCamera{};
    if (pressed(GLFW_KEY_K)) {
        if (shift) state.cube_split_hw = !state.cube_split_hw, state.cube_view = true;
        else state.cube_view = !state.cube_view;
    }
    if (pressed(GLFW_KEY_ESCAPE)) state.show_help = false;
}

void handle_shortcuts(AppState& state) {
    // Key presses are queued by the window as they arrive, so a tap shorter than a frame or
    // a quick Shift chord is not lost (ImGui 1.86 samples key state once per frame).
    for (const KeyPress& press : state.key_presses) handle_key(state, press.key, press.mods);
    state.key_presses.clear();
}

}  // namespace normviz::app
