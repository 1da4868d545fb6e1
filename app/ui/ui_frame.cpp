// The ImGui part of a frame: the one list of panels, in drawing order.
#include <imgui.h>

#include "app/ui/panels.h"

namespace normviz::app {

namespace {

// A small window with the background job's progress; the rest of the UI keeps working.
void draw_progress_window(AppState& state, const FrameLayout&) {
    if (!state.work->busy()) return;
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f), ImGuiCond_Always,
                            ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 24, 0));
    ImGui::Begin("Working##progress", nullptr,
                 ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse |
                     ImGuiWindowFlags_NoSavedSettings);
    ImGui::TextUnformatted(state.work->label().c_str());
    ImGui::ProgressBar(state.work->progress(), ImVec2(-1, 0));
    ImGui::End();
}

// L: a large ring around the mouse, drawn over everything, for a class watching a projector.
void draw_pointer_ring(AppState& state, const FrameLayout&) {
    const ImGuiIO& io = ImGui::GetIO();
    if (!state.classroom.pointer || !ImGui::IsMousePosValid()) return;
    const float r = ImGui::GetFontSize() * 2.2f;
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    dl->AddCircle(io.MousePos, r, IM_COL32(0, 0, 0, 220), 48, 9.0f);
    dl->AddCircle(io.MousePos, r, IM_COL32(255, 60, 200, 255), 48, 5.0f);
}

void draw_debug_window(AppState& state, const FrameLayout&) {
    if (state.show_debug) ImGui::ShowMetricsWindow(&state.show_debug);
}

// The panels draw_ui_frame draws after the menu bar, in order ("canvas" is hooks.canvas).
struct UiPanel {
    const char* name;
    void (*draw)(AppState& state, const FrameLayout& layout);
};

const UiPanel kUiPanels[] = {
    {"controls", draw_controls_panel},
    {"stats", draw_stats_panel},
    {"canvas", nullptr},
    {"lessons", draw_lessons_panel},
    {"help", [](AppState& s, const FrameLayout&) { draw_help_window(s); }},
    {"channels", [](AppState& s, const FrameLayout&) { draw_channel_panel(s); }},
    {"arithmetic", [](AppState& s, const FrameLayout&) { draw_arithmetic_panel(s); }},
    {"tokens", [](AppState& s, const FrameLayout&) { draw_token_panel(s); }},
    {"train", draw_train_panel},
    {"dialogs", [](AppState& s, const FrameLayout&) { draw_classroom_dialogs(s); }},
    {"file_browser", [](AppState& s, const FrameLayout&) { draw_file_browser(s); }},
    {"progress", draw_progress_window},
    {"debug", draw_debug_window},
    {"pointer", draw_pointer_ring},
};

}  // namespace

void draw_ui_frame(AppState& state, const UiFrameHooks& hooks) {
    auto around = [&hooks](const char* name, const std::function<void()>& draw) {
        if (hooks.around) hooks.around(name, draw);
        else draw();
    };
    apply_presenter_style(state);
    handle_shortcuts(state);
    install_finished_work(state);
    update_derived(state);
    around("menu_bar", [&] { draw_menu_bar(state); });
    const FrameLayout layout = compute_frame_layout(state);
    for (const UiPanel& panel : kUiPanels) {
        if (panel.draw) around(panel.name, [&] { panel.draw(state, layout); });
        else if (hooks.canvas) around(panel.name, [&] { hooks.canvas(state, layout); });
    }
    update_derived(state);
}

}  // namespace normviz::app
