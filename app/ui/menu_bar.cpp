// The main menu bar (generated from the command table, app/ui/commands.h) and the fixed
// placement of the sidebars.
#include <imgui.h>

#include <algorithm>
#include <cstring>

#include "app/state/classroom_actions.h"
#include "app/ui/commands.h"
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
    for (const char* menu : {"File", "View", "Lessons", "Help"}) {
        if (!ImGui::BeginMenu(menu)) continue;
        for (const Command& c : commands()) {
            if (c.menu == nullptr || std::strcmp(c.menu, menu) != 0) continue;
            if (c.separator) ImGui::Separator();
            if (c.submenu && c.label == nullptr) {
                c.submenu(state);  // entries in place (the lessons)
            } else if (c.submenu) {
                if (ImGui::BeginMenu(c.label)) {
                    c.submenu(state);
                    ImGui::EndMenu();
                }
            } else if (ImGui::MenuItem(c.label, c.keys, c.checked && c.checked(state)) && c.run) {
                c.run(state);
            }
        }
        ImGui::EndMenu();
    }
    // Errors stay until the next message; notes ("opened scene ...") leave after kNoteSeconds
    // (the Controls sidebar keeps the last one).
    state.note_shown =
        !state.message.empty() && !state.message_is_error && seconds_now() - state.message_time < kNoteSeconds;
    if (!state.message.empty() && (state.message_is_error || state.note_shown)) {
        ImGui::SameLine(ImGui::GetWindowWidth() * 0.45f);
        if (state.message_is_error) ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.45f, 1.0f), "%s", state.message.c_str());
        else ImGui::TextDisabled("%s", state.message.c_str());
    }
    ImGui::EndMainMenuBar();
}

}  // namespace normviz::app
