// The main menu bar and the fixed placement of the sidebars.
#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/state/classroom_actions.h"
#include "app/state/file_browser.h"
#include "app/ui/panels.h"

namespace normviz::app {

FrameLayout compute_frame_layout(const AppState& state) {
    const ImGuiIO& io = ImGui::GetIO();
    const float font = ImGui::GetFontSize();
    FrameLayout f;
    f.menu_height = state.figure_mode || state.classroom.presenter ? 0 : ImGui::GetFrameHeight();
    const float budget = io.DisplaySize.x * 0.5f;  // sidebars never take more than half
    f.left = state.show_controls ? std::min(font * 19, budget * 0.45f) : 0;
    f.right = state.show_stats && !quiz_hides_statistics(state) ? std::min(font * 22, budget * 0.55f) : 0;
    f.bottom = lessons_panel_height(state);
    return f;
}

void draw_menu_bar(AppState& state) {
    if (state.figure_mode || state.classroom.presenter || !ImGui::BeginMainMenuBar()) return;
    if (ImGui::BeginMenu("File")) {
        if (ImGui::MenuItem("Open...", "Ctrl+O")) open_file_browser(state);
        if (ImGui::MenuItem("Open scene...")) state.classroom.dialog = ClassroomDialog::OpenScene;
        if (ImGui::MenuItem("Save scene...")) state.classroom.dialog = ClassroomDialog::SaveScene;
        if (ImGui::MenuItem("Export PNG / SVG / CSV...")) state.classroom.dialog = ClassroomDialog::Export;
        ImGui::Separator();
        if (ImGui::MenuItem("Save window as PNG", "F12")) state.screenshot_requested = true;
        if (ImGui::BeginMenu("Save panel as PNG")) {
            for (size_t i = 0; i < state.panels.size(); ++i)
                if (ImGui::MenuItem(core::norm_title(state.panels[i].spec.kind)))
                    state.panel_screenshot_requested = static_cast<int>(i);
            ImGui::EndMenu();
        }
        ImGui::Separator();
        if (ImGui::MenuItem("Quit", "Ctrl+Q")) state.quit_requested = true;
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("View")) {
        if (ImGui::MenuItem("Compare norms", "V", !state.scene.single_view)) state.scene.single_view = false;
        if (ImGui::MenuItem("Single norm", "V", state.scene.single_view)) state.scene.single_view = true;
        ImGui::MenuItem("Cube view", "K", &state.cube_view);
        if (ImGui::MenuItem("Cube: H and W apart", "Shift+K", &state.cube_split_hw) && state.cube_split_hw)
            state.cube_view = true;
        ImGui::MenuItem("Controls", "F2", &state.show_controls);
        ImGui::MenuItem("Statistics", "F3", &state.show_stats);
        ImGui::MenuItem("Channels", "F4", &state.channels.show);
        ImGui::MenuItem("Normalized values", "Space", &state.scene.show_normalized);
        bool safe = state.scene.palette == Palette::BlueOrange;
        if (ImGui::MenuItem("Colour-blind safe palette", "P", &safe))
            state.scene.palette = safe ? Palette::BlueOrange : Palette::BlueRed;
        if (ImGui::BeginMenu("Colour scale (raw values)")) {
            for (ColorScale s : kAllColorScales)
                if (ImGui::MenuItem(color_scale_label(s), nullptr, state.scene.color_scale == s)) state.scene.color_scale = s;
            ImGui::EndMenu();
        }
        if (ImGui::MenuItem("Next NaN / Inf", "N")) focus_next_non_finite(state);
        ImGui::Separator();
        if (ImGui::MenuItem("Fit to window", "0")) state.camera.needs_fit = true;
        if (ImGui::MenuItem("Reset cube camera", "0")) state.cube_camera = CubeCamera{};
        if (ImGui::MenuItem("Larger text", "Ctrl+=")) state.font_size = std::min(40.0f, state.font_size + 2), state.font_dirty = true;
        if (ImGui::MenuItem("Smaller text", "Ctrl+-")) state.font_size = std::max(10.0f, state.font_size - 2), state.font_dirty = true;
        if (ImGui::MenuItem("Full screen", "F11")) state.fullscreen_requested = true;
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Lessons")) {
        const auto& lessons = shipped_lessons().lessons;
        for (size_t i = 0; i < lessons.size(); ++i) {
            const std::string label = std::to_string(i + 1) + ". " + lessons[i].title;
            if (ImGui::MenuItem(label.c_str(), nullptr, state.classroom.lesson == static_cast<int>(i)))
                go_to_lesson_step(state, static_cast<int>(i), 0);
        }
        ImGui::Separator();
        if (ImGui::MenuItem("Quiz: predict, then reveal", "Q", state.classroom.quiz.active)) {
            if (state.classroom.quiz.active) stop_quiz(state);
            else start_quiz(state);
        }
        bool presenter = state.classroom.presenter;
        if (ImGui::MenuItem("Presenter mode", "F5", &presenter)) set_presenter(state, presenter);
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Help")) {
        ImGui::MenuItem("Shortcuts", "F1", &state.show_help);
        ImGui::MenuItem("Debug windows", nullptr, &state.show_debug);
        ImGui::EndMenu();
    }
    // Errors stay until the next message; notes ("opened scene ...") leave after kNoteSeconds
    // (the Controls sidebar keeps the last one).
    state.note_shown = !state.message.empty() && !state.message_is_error &&
                       seconds_now() - state.message_time < kNoteSeconds;
    if (!state.message.empty() && (state.message_is_error || state.note_shown)) {
        ImGui::SameLine(ImGui::GetWindowWidth() * 0.45f);
        if (state.message_is_error)
            ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.45f, 1.0f), "%s", state.message.c_str());
        else
            ImGui::TextDisabled("%s", state.message.c_str());
    }
    ImGui::EndMainMenuBar();
}

}  // namespace normviz::app
