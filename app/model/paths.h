// Paths as users type them (~ for the home folder) and the folder listing of the file
// browser (File > Open...): pure functions of the file system, no ImGui, so tests call them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace normviz::app {

// "~" and "~/rest" become $HOME and $HOME/rest (the shell does this for a command line, but
// not for text typed into a field or a quoted argument); a member suffix stays
// ("~/x.npz:h" -> "$HOME/x.npz:h"). Anything else, "~user" included, and every path while
// HOME is unset or empty, is returned unchanged.
std::string expand_home(const std::string& path);

// $XDG_CACHE_HOME/normviz, else ~/.cache/normviz, else the system's temporary folder: where
// the program keeps files it makes for itself (a trained network's activations). Created.
std::string cache_folder();

// Whether a file name ends in an extension normviz reads: .npy, .npz or .safetensors
// (case-insensitive).
bool is_array_file_name(const std::string& name);

// One row of the file browser.
struct FolderEntry {
    std::string name;  // file name only
    bool is_folder = false;
    uintmax_t size = 0;  // bytes; 0 for folders
};

// The subfolders and array files (is_array_file_name) of `folder`: folders first, then files,
// each sorted by name ignoring case (then with case, so the order is total). Hidden entries
// (a leading '.') are left out unless `show_hidden`; other files are always left out. A
// symbolic link is listed as what it points to; a broken one is left out. Error: `folder`
// does not exist, is not a folder, or cannot be read (one line naming it).
core::Result<std::vector<FolderEntry>> list_array_folder(const std::string& folder, bool show_hidden = false);

// The folder above `folder` ("/data/x" -> "/data", "/data/x/" -> "/data", "/" -> "/"); a
// relative path is made absolute against the current folder first.
std::string parent_folder(const std::string& folder);

// `typed` as the browser reads it: ~ expanded, and a relative path taken inside `folder`.
std::string resolve_in_folder(const std::string& folder, const std::string& typed);

}  // namespace normviz::app
