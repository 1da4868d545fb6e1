// File > Open...: a modal listing one folder's subfolders and .npy/.npz/.safetensors files,
// with a path field (Enter opens); the transitions are app/state/file_browser.h.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "app/state/file_browser.h"
#include "app/ui/panels.h"

namespace normviz::app {

namespace {

constexpr const char* kTitle = "Open array##file_browser";

std::string size_text(uintmax_t bytes) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1000 && u < 4) v /= 1000, ++u;
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

// The folder's rows: ".." first, then subfolders and array files. A click puts the name in
// the path field; a double click opens it. Returns the name to open, or "".
std::string draw_entries(AppState& state) {
    FileBrowser& b = state.file_browser;
    std::string open;
    constexpr ImGuiSelectableFlags kRow = ImGuiSelectableFlags_DontClosePopups | ImGuiSelectableFlags_AllowDoubleClick |
                                          ImGuiSelectableFlags_SpanAllColumns;
    if (!ImGui::BeginTable("##browser_entries", 2,
                           ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersOuter,
                           ImVec2(0, ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing() * 3)))
        return open;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("size", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 6);
    ImGui::TableHeadersRow();
    auto row = [&](const std::string& label, const std::string& name, const std::string& size) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        if (ImGui::Selectable(label.c_str(), b.typed == name, kRow)) {
            b.typed = name;
            if (ImGui::IsMouseDoubleClicked(0)) open = name;
        }
        ImGui::TableNextColumn();
        if (!size.empty()) ImGui::TextDisabled("%s", size.c_str());
    };
    if (b.folder != "/") row("../##browser_parent", "..", "");
    for (const FolderEntry& e : b.entries) {
        if (e.is_folder) row(e.name + "/##browser_" + e.name, e.name, "");
        else row(e.name + "##browser_" + e.name, e.name, size_text(e.size));
    }
    ImGui::EndTable();
    if (b.entries.empty() && b.error.empty()) ImGui::TextDisabled("no folders or array files here");
    return open;
}

}  // namespace

void draw_file_browser(AppState& state) {
    FileBrowser& b = state.file_browser;
    if (!b.open) return;
    if (!b.popup_opened) {
        ImGui::OpenPopup(kTitle);
        b.popup_opened = true;
    }
    const ImGuiIO& io = ImGui::GetIO();
    const float font = ImGui::GetFontSize();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.45f), ImGuiCond_Appearing,
                            ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(
        ImVec2(std::min(font * 40, io.DisplaySize.x * 0.9f), std::min(font * 28, io.DisplaySize.y * 0.8f)),
        ImGuiCond_Appearing);
    bool keep = true;
    if (!ImGui::BeginPopupModal(kTitle, &keep, ImGuiWindowFlags_NoSavedSettings)) {
        b.open = false;  // closed by ImGui (the title bar's x)
        b.popup_opened = false;
        return;
    }
    ImGui::TextDisabled("folder");
    ImGui::SameLine();
    ImGui::TextUnformatted(b.folder.c_str());
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - ImGui::CalcTextSize("Up").x -
                    ImGui::GetStyle().FramePadding.x * 2);
    if (ImGui::Button("Up##browser_up")) browse_to(state, parent_folder(b.folder));

    std::string open = draw_entries(state);

    char buf[1024];
    std::snprintf(buf, sizeof buf, "%s", b.typed.c_str());
    if (b.focus_field) {
        ImGui::SetKeyboardFocusHere();
        b.focus_field = false;
    }
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("OpenCancel").x - font * 2);
    if (ImGui::InputTextWithHint("##browser_path", "name, folder, ~/path or x.npz:NAME", buf, sizeof buf,
                                 ImGuiInputTextFlags_EnterReturnsTrue))
        open = buf;
    b.typed = buf;
    ImGui::SameLine();
    if (ImGui::Button("Open##browser_open")) open = b.typed;
    ImGui::SameLine();
    const bool cancel = ImGui::Button("Cancel##browser_cancel");
    // Enter also opens after a click in the list took the keyboard from the field.
    if (!ImGui::IsAnyItemActive() && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false)) open = b.typed;
    if (!b.error.empty()) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.45f, 1.0f), "%s", b.error.c_str());
        ImGui::PopTextWrapPos();
    } else {
        ImGui::TextDisabled(".npy, .npz and .safetensors files are listed; x.npz:NAME opens one array");
    }
    if (!open.empty() && open_from_browser(state, open)) ImGui::CloseCurrentPopup();
    if (cancel || !keep ||
        (!ImGui::IsAnyItemActive() && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false))) {
        b.open = false;
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
    if (!b.open) b.popup_opened = false;
}

}  // namespace normviz::app
