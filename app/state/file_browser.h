// File > Open...: the file browser's transitions (its modal is app/ui/file_browser_panel.cpp;
// the folder listing and ~ are app/model/paths.h).
#pragma once

#include <string>

#include "app/state/app_state.h"

namespace normviz::app {

// Shows the browser listing the loaded file's folder, else the folder it showed last, else
// the current folder; the path field is empty and has the keyboard.
void open_file_browser(AppState& state);

// Lists `folder` (made absolute) in the browser: its entries, or the reason it cannot be read
// in FileBrowser::error (the entries are then empty).
void browse_to(AppState& state, const std::string& folder);

// The browser's Open (the button, Enter, a double click): `typed` is read in the shown folder
// (~ expanded, relative to it). A folder is listed; a file or x.npz:NAME is loaded with
// request_load and the browser closes, and an archive with several arrays then offers them
// in the controls sidebar (shown for it). A missing file, a load error or a running job
// keeps the browser open with FileBrowser::error. Returns whether the browser closed.
bool open_from_browser(AppState& state, const std::string& typed);

}  // namespace normviz::app
