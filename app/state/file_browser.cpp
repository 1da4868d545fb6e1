// File > Open...: which folder is listed, and what Open does with the typed path.
#include "app/state/file_browser.h"

#include <filesystem>
#include <system_error>

#include "app/model/paths.h"

namespace normviz::app {

namespace fs = std::filesystem;

void browse_to(AppState& state, const std::string& folder) {
    FileBrowser& b = state.file_browser;
    std::error_code ec;
    fs::path absolute = fs::absolute(fs::path(folder), ec);
    b.folder = (ec ? fs::path(folder) : absolute).lexically_normal().string();
    while (b.folder.size() > 1 && b.folder.back() == '/') b.folder.pop_back();
    b.typed.clear();
    b.focus_field = true;
    auto listed = list_array_folder(b.folder);
    if (listed) {
        b.entries = std::move(listed.value());
        b.error.clear();
    } else {
        b.entries.clear();
        b.error = listed.error().message;
    }
}

void open_file_browser(AppState& state) {
    FileBrowser& b = state.file_browser;
    std::string folder = b.folder;
    if (!state.scene.data_path.empty()) {
        // The loaded file's folder: the next file of a model is usually beside it.
        folder = fs::path(core::parse_array_source(state.scene.data_path).path).parent_path().string();
    }
    std::error_code ec;
    const bool usable = !folder.empty() && fs::is_directory(folder, ec);
    browse_to(state, usable ? folder : fs::current_path(ec).string());
    b.open = true;
    b.popup_opened = false;
}

bool open_from_browser(AppState& state, const std::string& typed) {
    FileBrowser& b = state.file_browser;
    const std::string target = resolve_in_folder(b.folder, typed);
    if (target.empty()) return false;
    std::error_code ec;
    if (fs::is_directory(target, ec)) {
        browse_to(state, target);
        return false;
    }
    const std::string file = core::parse_array_source(target).path;
    if (!fs::exists(file, ec)) {
        b.error = file + " does not exist; pick a file in the list or type its name";
        return false;
    }
    if (state.work->busy()) {
        b.error = "still busy (" + state.work->label() + "); open the file when it is done";
        return false;
    }
    set_message(state, "", false);  // below: this load's outcome only
    request_load(state, target);
    if (state.message_is_error) {
        b.error = state.message;
        return false;
    }
    b.error.clear();
    b.open = false;
    // An archive with several arrays: its list is under Load in the controls sidebar.
    if (!state.archive_entries.empty() && state.archive_path == target) state.show_controls = true;
    return true;
}

}  // namespace normviz::app
