// The command table and what it generates: key dispatch and the help window's rows (the menu
// bar draws from it in app/ui/menu_bar.cpp).
#include "app/ui/commands.h"

#include <imgui.h>

#include <GLFW/glfw3.h>
#include <algorithm>
#include <cstring>
#include <iterator>

#include "app/state/classroom_actions.h"
#include "app/state/file_browser.h"

namespace normviz::app {

namespace {

constexpr int kShift = GLFW_MOD_SHIFT, kCtrl = GLFW_MOD_CONTROL;

void single_norm(AppState& s, int k) {
    s.scene.single_norm = core::kAllNormKinds[k];
    s.scene.single_view = true;
}
void next_norm(AppState& s, int delta) {
    const int count = static_cast<int>(std::size(core::kAllNormKinds));
    s.scene.single_norm = core::kAllNormKinds[(static_cast<int>(s.scene.single_norm) + count + delta) % count];
    s.scene.single_view = true;
}
void next_color_scale(AppState& s, int delta) {
    const int count = static_cast<int>(std::size(kAllColorScales));
    s.scene.color_scale = kAllColorScales[(static_cast<int>(s.scene.color_scale) + count + delta) % count];
}
void text_size(AppState& s, float delta) {
    s.font_size = std::clamp(s.font_size + delta, 10.0f, 40.0f);
    s.font_dirty = true;
}
void arithmetic_stage(AppState& s, int delta) {
    s.arithmetic.stage = std::clamp(s.arithmetic.stage + delta, 0, core::kArithmeticStages - 1);
}
void toggle_quiz(AppState& s) {
    if (s.classroom.quiz.active) stop_quiz(s);
    else start_quiz(s);
}
void quiz_enter(AppState& s) {
    if (s.classroom.quiz.revealed) next_quiz_question(s);
    else reveal_quiz(s);
}
bool no_quiz(const AppState& s) { return !s.classroom.quiz.active; }
bool in_quiz(const AppState& s) { return s.classroom.quiz.active; }
bool arithmetic_shown(const AppState& s) { return s.arithmetic.show; }

void panel_png_menu(AppState& s) {
    for (size_t i = 0; i < s.panels.size(); ++i)
        if (ImGui::MenuItem(core::norm_title(s.panels[i].spec.kind)))
            s.panel_screenshot_requested = static_cast<int>(i);
}
void color_scale_menu(AppState& s) {
    for (ColorScale c : kAllColorScales)
        if (ImGui::MenuItem(color_scale_label(c), nullptr, s.scene.color_scale == c)) s.scene.color_scale = c;
}
void lessons_menu(AppState& s) {
    const auto& lessons = shipped_lessons().lessons;
    for (size_t i = 0; i < lessons.size(); ++i) {
        const std::string label = std::to_string(i + 1) + ". " + lessons[i].title;
        if (ImGui::MenuItem(label.c_str(), nullptr, s.classroom.lesson == static_cast<int>(i)))
            go_to_lesson_step(s, static_cast<int>(i), 0);
    }
}

// One digit key per norm, 1 to 7: a new norm needs its own row below.
static_assert(core::kNormCount == 7, "the single-view keys 1..7 name every norm");

using S = AppState;
using CS = const AppState;

// In menu order within each menu; the help window lists them in this order too. One row a
// command, laid out by hand.
// clang-format off
const Command kCommands[] = {
    // Mouse gestures: documented, not bound to keys.
    {nullptr, nullptr, "Click", "make a cell the focus (in any panel)", {}},
    {nullptr, nullptr, "Wheel", "zoom", {}},
    {nullptr, nullptr, "Drag", "pan (cube: turn every cube)", {}},
    // Focus.
    {nullptr, nullptr, "Left", "move the focus along W", {{GLFW_KEY_LEFT, 0}}, false, false,
     [](S& s) { move_focus(s, core::Axis::W, -1); }},
    {nullptr, nullptr, "Right", "move the focus along W", {{GLFW_KEY_RIGHT, 0}}, false, false,
     [](S& s) { move_focus(s, core::Axis::W, +1); }},
    {nullptr, nullptr, "Up", "move the focus along H", {{GLFW_KEY_UP, 0}}, false, false,
     [](S& s) { move_focus(s, core::Axis::H, -1); }},
    {nullptr, nullptr, "Down", "move the focus along H", {{GLFW_KEY_DOWN, 0}}, false, false,
     [](S& s) { move_focus(s, core::Axis::H, +1); }},
    {nullptr, nullptr, "Shift + Left", "move the focus along C", {{GLFW_KEY_LEFT, kShift}}, false, false,
     [](S& s) { move_focus(s, core::Axis::C, -1); }},
    {nullptr, nullptr, "Shift + Right", "move the focus along C", {{GLFW_KEY_RIGHT, kShift}}, false, false,
     [](S& s) { move_focus(s, core::Axis::C, +1); }},
    {nullptr, nullptr, "Shift + Up", "move the focus along N", {{GLFW_KEY_UP, kShift}}, false, false,
     [](S& s) { move_focus(s, core::Axis::N, -1); }},
    // File.
    {nullptr, nullptr, "Shift + Down", "move the focus along N", {{GLFW_KEY_DOWN, kShift}}, false, false,
     [](S& s) { move_focus(s, core::Axis::N, +1); }},
    {"File", "Open...", "Ctrl + O", "open an array file (.npy, .npz, .safetensors) from a file browser",
     {{GLFW_KEY_O, kCtrl}}, false, false, [](S& s) { open_file_browser(s); }},
    {"File", "Open scene...", nullptr, nullptr, {}, false, false,
     [](S& s) { s.classroom.dialog = ClassroomDialog::OpenScene; }},
    {"File", "Save scene...", nullptr, nullptr, {}, false, false,
     [](S& s) { s.classroom.dialog = ClassroomDialog::SaveScene; }},
    {"File", "Export PNG / SVG / CSV...", nullptr, nullptr, {}, false, false,
     [](S& s) { s.classroom.dialog = ClassroomDialog::Export; }},
    {"File", "Save window as PNG", "F12", "save the window as PNG", {{GLFW_KEY_F12, 0}}, true, true,
     [](S& s) { s.screenshot_requested = true; }},
    {"File", "Save panel as PNG", nullptr, nullptr, {}, false, false, nullptr, nullptr, nullptr, panel_png_menu},
    {"File", "Quit", "Ctrl + Q", "quit", {{GLFW_KEY_Q, kCtrl}}, true, true, [](S& s) { s.quit_requested = true; }},
    // View.
    {"View", "Single norm", "V", "compare norms / single norm", {{GLFW_KEY_V, 0}}, false, false,
     [](S& s) { s.scene.single_view = !s.scene.single_view; }, [](CS& s) { return s.scene.single_view; }},
    {nullptr, nullptr, "Tab", "next / previous norm (single view)", {{GLFW_KEY_TAB, 0}}, false, false,
     [](S& s) { next_norm(s, +1); }},
    {nullptr, nullptr, "Shift + Tab", "next / previous norm (single view)", {{GLFW_KEY_TAB, kShift}}, false, false,
     [](S& s) { next_norm(s, -1); }},
    {nullptr, nullptr, "1", "single view of BatchNorm, LayerNorm, InstanceNorm, GroupNorm, LayerNorm (per token), RMSNorm, Custom",
     {{GLFW_KEY_1, 0}}, false, false, [](S& s) { single_norm(s, 0); }, nullptr, no_quiz},
    {nullptr, nullptr, "2", "single view of BatchNorm, LayerNorm, InstanceNorm, GroupNorm, LayerNorm (per token), RMSNorm, Custom",
     {{GLFW_KEY_2, 0}}, false, false, [](S& s) { single_norm(s, 1); }, nullptr, no_quiz},
    {nullptr, nullptr, "3", "single view of BatchNorm, LayerNorm, InstanceNorm, GroupNorm, LayerNorm (per token), RMSNorm, Custom",
     {{GLFW_KEY_3, 0}}, false, false, [](S& s) { single_norm(s, 2); }, nullptr, no_quiz},
    {nullptr, nullptr, "4", "single view of BatchNorm, LayerNorm, InstanceNorm, GroupNorm, LayerNorm (per token), RMSNorm, Custom",
     {{GLFW_KEY_4, 0}}, false, false, [](S& s) { single_norm(s, 3); }, nullptr, no_quiz},
    {nullptr, nullptr, "5", "single view of BatchNorm, LayerNorm, InstanceNorm, GroupNorm, LayerNorm (per token), RMSNorm, Custom",
     {{GLFW_KEY_5, 0}}, false, false, [](S& s) { single_norm(s, 4); }, nullptr, no_quiz},
    {nullptr, nullptr, "6", "single view of BatchNorm, LayerNorm, InstanceNorm, GroupNorm, LayerNorm (per token), RMSNorm, Custom",
     {{GLFW_KEY_6, 0}}, false, false, [](S& s) { single_norm(s, 5); }, nullptr, no_quiz},
    {nullptr, nullptr, "7", "single view of BatchNorm, LayerNorm, InstanceNorm, GroupNorm, LayerNorm (per token), RMSNorm, Custom",
     {{GLFW_KEY_7, 0}}, false, false, [](S& s) { single_norm(s, 6); }, nullptr, no_quiz},
    {"View", "Cube view", "K", "cube view / grid view", {{GLFW_KEY_K, 0}}, false, false,
     [](S& s) { s.cube_view = !s.cube_view; }, [](CS& s) { return s.cube_view; }},
    {"View", "Cube: H and W apart", "Shift + K", "cube: H and W apart / H\u00b7W as one axis", {{GLFW_KEY_K, kShift}},
     false, false,
     [](S& s) {
         s.cube_split_hw = !s.cube_split_hw;
         s.cube_view = true;
     },
     [](CS& s) { return s.cube_split_hw; }},
    {"View", "Controls", "F2", "controls / statistics sidebar", {{GLFW_KEY_F2, 0}}, true, false,
     [](S& s) { s.show_controls = !s.show_controls; }, [](CS& s) { return s.show_controls; }},
    {"View", "Statistics", "F3", "controls / statistics sidebar", {{GLFW_KEY_F3, 0}}, true, false,
     [](S& s) { s.show_stats = !s.show_stats; }, [](CS& s) { return s.show_stats; }},
    {"View", "Channels", "F4", "channels: mean, std, min, max, zeros, NaN, Inf per channel (click a row: focus it)",
     {{GLFW_KEY_F4, 0}}, true, false, [](S& s) { s.channels.show = !s.channels.show; },
     [](CS& s) { return s.channels.show; }},
    {"View", "Arithmetic", "F6", "arithmetic: the focus's group worked out stage by stage (sum, mean, variance, x\u0302, y)",
     {{GLFW_KEY_F6, 0}}, true, false, [](S& s) { s.arithmetic.show = !s.arithmetic.show; },
     [](CS& s) { return s.arithmetic.show; }},
    {nullptr, nullptr, ",", "arithmetic: previous / next stage", {{GLFW_KEY_COMMA, 0}}, false, false,
     [](S& s) { arithmetic_stage(s, -1); }, nullptr, arithmetic_shown},
    {nullptr, nullptr, ".", "arithmetic: previous / next stage", {{GLFW_KEY_PERIOD, 0}}, false, false,
     [](S& s) { arithmetic_stage(s, +1); }, nullptr, arithmetic_shown},
    {"View", "Tokens x features", "F7", "tokens x features: one row per token, one column per feature (sequence data)",
     {{GLFW_KEY_F7, 0}}, true, false, [](S& s) { s.tokens.show = !s.tokens.show; },
     [](CS& s) { return s.tokens.show; }},
    {"View", "Train", "F8", "train: a small CNN with a chosen norm, its curves, its activations in the grid",
     {{GLFW_KEY_F8, 0}}, true, false, [](S& s) { s.train.show = !s.train.show; }, [](CS& s) { return s.train.show; }},
    {"View", "Normalized values", "Space", "raw / normalized values", {{GLFW_KEY_SPACE, 0}}, false, false,
     [](S& s) { s.scene.show_normalized = !s.scene.show_normalized; }, [](CS& s) { return s.scene.show_normalized; }},
    {"View", "Colour-blind safe palette", "P", "colour-blind safe palette", {{GLFW_KEY_P, 0}}, false, false,
     [](S& s) { s.scene.palette = s.scene.palette == Palette::BlueRed ? Palette::BlueOrange : Palette::BlueRed; },
     [](CS& s) { return s.scene.palette == Palette::BlueOrange; }},
    {nullptr, nullptr, "C", "next / previous colour scale of raw values (symmetric, min-max, 1-99 %, per channel)",
     {{GLFW_KEY_C, 0}}, false, false, [](S& s) { next_color_scale(s, +1); }},
    {nullptr, nullptr, "Shift + C", "next / previous colour scale of raw values (symmetric, min-max, 1-99 %, per channel)",
     {{GLFW_KEY_C, kShift}}, false, false, [](S& s) { next_color_scale(s, -1); }},
    {"View", "Colour scale (raw values)", nullptr, nullptr, {}, false, false, nullptr, nullptr, nullptr, color_scale_menu},
    {"View", "Next NaN / Inf", "N", "focus the next NaN or Inf after the focus (memory order)", {{GLFW_KEY_N, 0}}, false,
     false, [](S& s) { focus_next_non_finite(s); }},
    {"View", "Zoom in", "+", "zoom in / out", {{GLFW_KEY_EQUAL, 0}, {GLFW_KEY_KP_ADD, 0}}, false, true,
     [](S& s) { s.camera.zoom_steps += 1; }},
    {"View", "Zoom out", "-", "zoom in / out", {{GLFW_KEY_MINUS, 0}, {GLFW_KEY_KP_SUBTRACT, 0}}, false, false,
     [](S& s) { s.camera.zoom_steps -= 1; }},
    {"View", "Fit to window", "0", "fit the picture to the window (cube: reset the camera)", {{GLFW_KEY_0, 0}}, false,
     false,
     [](S& s) {
         s.camera.needs_fit = true;
         s.cube_camera = CubeCamera{};
     }},
    {"View", "Larger text", "Ctrl + =", "larger / smaller text", {{GLFW_KEY_EQUAL, kCtrl}, {GLFW_KEY_KP_ADD, kCtrl}},
     false, false, [](S& s) { text_size(s, +2); }},
    {"View", "Smaller text", "Ctrl + -", "larger / smaller text",
     {{GLFW_KEY_MINUS, kCtrl}, {GLFW_KEY_KP_SUBTRACT, kCtrl}}, false, false, [](S& s) { text_size(s, -2); }},
    {"View", "Full screen", "F11", "full screen", {{GLFW_KEY_F11, 0}}, true, false,
     [](S& s) { s.fullscreen_requested = true; }},
    // Lessons.
    {"Lessons", nullptr, nullptr, nullptr, {}, false, false, nullptr, nullptr, nullptr, lessons_menu},
    {nullptr, nullptr, "PageDown", "next / previous lesson step (a presentation clicker sends these)",
     {{GLFW_KEY_PAGE_DOWN, 0}}, false, false, [](S& s) { step_lesson(s, +1); }},
    {nullptr, nullptr, "PageUp", "next / previous lesson step (a presentation clicker sends these)",
     {{GLFW_KEY_PAGE_UP, 0}}, false, false, [](S& s) { step_lesson(s, -1); }},
    {nullptr, nullptr, "Shift + PageDown", "next / previous lesson", {{GLFW_KEY_PAGE_DOWN, kShift}}, false, false,
     [](S& s) { change_lesson(s, +1); }},
    {nullptr, nullptr, "Shift + PageUp", "next / previous lesson", {{GLFW_KEY_PAGE_UP, kShift}}, false, false,
     [](S& s) { change_lesson(s, -1); }},
    {"Lessons", "Quiz: predict, then reveal", "Q", "quiz: predict which cells are pooled, Enter reveals",
     {{GLFW_KEY_Q, 0}}, false, true, toggle_quiz, [](CS& s) { return s.classroom.quiz.active; }},
    {nullptr, nullptr, "Enter", "quiz: reveal / next question", {{GLFW_KEY_ENTER, 0}, {GLFW_KEY_KP_ENTER, 0}}, false,
     false, quiz_enter, nullptr, in_quiz},
    {nullptr, nullptr, "1", "quiz: pick an answer", {{GLFW_KEY_1, 0}}, false, false,
     [](S& s) { choose_quiz_answer(s, 0); }, nullptr, in_quiz},
    {nullptr, nullptr, "2", "quiz: pick an answer", {{GLFW_KEY_2, 0}}, false, false,
     [](S& s) { choose_quiz_answer(s, 1); }, nullptr, in_quiz},
    {nullptr, nullptr, "3", "quiz: pick an answer", {{GLFW_KEY_3, 0}}, false, false,
     [](S& s) { choose_quiz_answer(s, 2); }, nullptr, in_quiz},
    {nullptr, nullptr, "4", "quiz: pick an answer", {{GLFW_KEY_4, 0}}, false, false,
     [](S& s) { choose_quiz_answer(s, 3); }, nullptr, in_quiz},
    {"Lessons", "Presenter mode", "F5", "presenter mode: large text, high contrast, full screen (Esc leaves)",
     {{GLFW_KEY_F5, 0}}, true, false, [](S& s) { set_presenter(s, !s.classroom.presenter); },
     [](CS& s) { return s.classroom.presenter; }},
    {nullptr, nullptr, "L", "pointer: a large ring that follows the mouse (for a projector)", {{GLFW_KEY_L, 0}}, false,
     false, [](S& s) { s.classroom.pointer = !s.classroom.pointer; }},
    // Help.
    {"Help", "Shortcuts", "F1", "this help", {{GLFW_KEY_F1, 0}}, true, false, [](S& s) { s.show_help = !s.show_help; },
     [](CS& s) { return s.show_help; }},
    {"Help", "Debug windows", nullptr, nullptr, {}, false, false, [](S& s) { s.show_debug = !s.show_debug; },
     [](CS& s) { return s.show_debug; }},
    {nullptr, nullptr, "Esc", "close this help; leave presenter mode", {{GLFW_KEY_ESCAPE, 0}}, false, false,
     [](S& s) {
         s.show_help = false;
         set_presenter(s, false);
     }},
};
// clang-format on

}  // namespace

std::span<const Command> commands() { return kCommands; }

int run_key_commands(AppState& state, int key, int mods, bool text_input) {
    mods &= kShift | kCtrl;
    // Which commands the key runs is decided before any runs: Q starting a quiz must not
    // let the same press count as an answer.
    std::vector<const Command*> bound;
    for (const Command& c : kCommands) {
        if (c.run == nullptr || (text_input && !c.global) || (c.available && !c.available(state))) continue;
        for (const KeyChord& chord : c.chords)
            if (chord.key != 0 && chord.key == key && chord.mods == mods) {
                bound.push_back(&c);
                break;
            }
    }
    for (const Command* c : bound) c->run(state);
    return static_cast<int>(bound.size());
}

std::vector<HelpRow> help_rows() {
    std::vector<HelpRow> rows;
    for (const Command& c : kCommands) {
        if (c.keys == nullptr || c.help == nullptr) continue;
        if (rows.empty() || rows.back().help != c.help) {
            rows.push_back({c.keys, c.help});
            continue;
        }
        // "Shift + Up / Down": a modifier the row's first key has is not repeated.
        std::string keys = c.keys;
        for (const char* mod : {"Shift + ", "Ctrl + "})
            if (keys.rfind(mod, 0) == 0 && rows.back().keys.rfind(mod, 0) == 0) keys = keys.substr(std::strlen(mod));
        rows.back().keys += " / " + keys;
    }
    return rows;
}

}  // namespace normviz::app
