// File > Open scene, Save scene and Export: one small modal with a path field each.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "app/state/classroom_actions.h"
#include "app/state/export.h"
#include "app/ui/panels.h"

namespace normviz::app {

namespace {

// A path field bound to a std::string (ImGui 1.86 without the std::string helpers).
bool path_field(const char* id, std::string& path) {
    char buf[1024];
    std::snprintf(buf, sizeof buf, "%s", path.c_str());
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 28);
    const bool enter = ImGui::InputText(id, buf, sizeof buf, ImGuiInputTextFlags_EnterReturnsTrue);
    path = buf;
    return enter;
}

const char* dialog_title(ClassroomDialog d) {
    switch (d) {
        case ClassroomDialog::OpenScene: return "Open scene##dialog_open";
        case ClassroomDialog::SaveScene: return "Save scene##dialog_save";
        case ClassroomDialog::Export: return "Export##dialog_export";
        case ClassroomDialog::None: break;
    }
    return "##dialog_none";
}

void export_body(AppState& state) {
    ClassroomState& c = state.classroom;
    ImGui::TextUnformatted("File name without extension (.png, .svg or .csv is added):");
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();  // type the name at once
    path_field("##export_base", c.export_base);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    ImGui::InputInt("width##export_w", &c.export_width, 0);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    ImGui::InputInt("height (PNG, up to 3840 x 2160)##export_h", &c.export_height, 0);
    c.export_width = std::clamp(c.export_width, 16, kExportMaxWidth);
    c.export_height = std::clamp(c.export_height, 16, kExportMaxHeight);
    if (ImGui::Button("1920 x 1080##export_hd")) c.export_width = 1920, c.export_height = 1080;
    ImGui::SameLine();
    if (ImGui::Button("3840 x 2160##export_4k")) c.export_width = 3840, c.export_height = 2160;
    ImGui::Separator();
    // The dialog stays open after each save, so PNG, SVG and CSV take one visit.
    if (ImGui::Button("Save PNG##export_png") && may_replace(state, c.export_base + ".png"))
        c.export_png_requested = true;  // drawn in the frame (renderer)
    ImGui::SameLine();
    if (ImGui::Button("Save SVG##export_svg")) {
        auto svg = view_to_svg(state);
        const std::string path = c.export_base + ".svg";
        if (!svg) set_message(state, svg.error().message, true);
        else if (!may_replace(state, path)) {
        }  // asked; a second press saves
        else if (auto ok = write_text_file(path, svg.value()); !ok)
            set_message(state, ok.error().message, true);
        else set_message(state, "saved " + path, false);
    }
    ImGui::SameLine();
    if (ImGui::Button("Save statistics CSV##export_csv")) {
        const std::string path = c.export_base + ".csv";
        if (!may_replace(state, path)) {
        }  // asked; a second press saves
        else if (auto ok = write_text_file(path, stats_to_csv(state)); !ok)
            set_message(state, ok.error().message, true);
        else set_message(state, "saved " + path, false);
    }
}

}  // namespace

void draw_classroom_dialogs(AppState& state) {
    ClassroomState& c = state.classroom;
    if (c.dialog == ClassroomDialog::None) return;
    const char* title = dialog_title(c.dialog);
    if (!c.dialog_opened) {
        ImGui::OpenPopup(title);
        c.dialog_opened = true;
    }
    ImGui::SetNextWindowPos(ImVec2(ImGui::GetIO().DisplaySize.x * 0.5f, ImGui::GetIO().DisplaySize.y * 0.4f),
                            ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    bool open = true;
    if (!ImGui::BeginPopupModal(title, &open, ImGuiWindowFlags_AlwaysAutoResize)) {
        c.dialog = ClassroomDialog::None;
        c.dialog_opened = false;
        return;
    }
    if (c.dialog == ClassroomDialog::Export) {
        export_body(state);
    } else {
        const bool opening = c.dialog == ClassroomDialog::OpenScene;
        ImGui::TextUnformatted(opening ? "Scene or lesson file (.json) to open:"
                                       : "Save the current scene as (.json):");
        if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
        const bool enter = path_field("##scene_path", c.dialog_path);
        if (ImGui::Button(opening ? "Open##scene_open" : "Save##scene_save") || enter) {
            const bool ok = opening ? open_scene_file(state, c.dialog_path)
                                    : may_replace(state, c.dialog_path) && save_scene_file(state, c.dialog_path);
            if (ok) {
                c.dialog = ClassroomDialog::None;
                ImGui::CloseCurrentPopup();
            }
        }
    }
    if (!state.message.empty() && state.message_is_error) {
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
        ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.45f, 1.0f), "%s", state.message.c_str());
        ImGui::PopTextWrapPos();
    }
    ImGui::SameLine();
    if (ImGui::Button("Close##dialog_close") || !open) {
        c.dialog = ClassroomDialog::None;
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
    if (c.dialog == ClassroomDialog::None) c.dialog_opened = false;
}

}  // namespace normviz::app
