// The shortcuts window and the keyboard, both generated from the command table
// (app/ui/commands.h), so they agree.
#include <imgui.h>

#include "app/ui/commands.h"
#include "app/ui/panels.h"

namespace normviz::app {

void draw_help_window(AppState& state) {
    if (!state.show_help) return;
    ImGui::SetNextWindowPos(ImVec2(ImGui::GetIO().DisplaySize.x * 0.5f, ImGui::GetIO().DisplaySize.y * 0.5f),
                            ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    if (ImGui::Begin("Shortcuts##help", &state.show_help,
                     ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
        if (ImGui::BeginTable("##shortcuts", 2, ImGuiTableFlags_RowBg)) {
            for (const HelpRow& row : help_rows()) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(row.keys.c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(row.help.c_str());
            }
            ImGui::EndTable();
        }
    }
    ImGui::End();
}

void handle_shortcuts(AppState& state) {
    // Key presses are queued by the window as they arrive, so a tap shorter than a frame or
    // a quick Shift chord is not lost (ImGui 1.86 samples key state once per frame).
    const bool text_input = ImGui::GetIO().WantCaptureKeyboard;
    for (const KeyPress& press : state.key_presses) run_key_commands(state, press.key, press.mods, text_input);
    state.key_presses.clear();
}

}  // namespace normviz::app
