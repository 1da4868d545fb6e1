// ~ expansion and the file browser's folder listing, with std::filesystem.
#include "app/model/paths.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace normviz::app {

namespace fs = std::filesystem;

std::string expand_home(const std::string& path) {
    if (path.empty() || path[0] != '~' || (path.size() > 1 && path[1] != '/')) return path;
    const char* home = std::getenv("HOME");
    if (!home || !*home) return path;
    std::string out = home;
    while (out.size() > 1 && out.back() == '/') out.pop_back();  // HOME=/home/me/ gives no "//"
    return out + path.substr(1);
}

namespace {

std::string lower(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::string cache_folder() {
    // A relative XDG_CACHE_HOME is invalid (XDG Base Directory spec): it is ignored.
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    std::filesystem::path dir = xdg && *xdg == '/' ? std::filesystem::path(xdg) / "normviz"
                                : home && *home    ? std::filesystem::path(home) / ".cache" / "normviz"
                                                   : std::filesystem::temp_directory_path() / "normviz";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    return dir.string();
}

bool is_array_file_name(const std::string& name) {
    const std::string l = lower(name);
    for (const char* ext : {".npy", ".npz", ".safetensors"})
        if (ends_with(l, ext) && l.size() > std::char_traits<char>::length(ext)) return true;
    return false;
}

core::Result<std::vector<FolderEntry>> list_array_folder(const std::string& folder, bool show_hidden) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return core::make_error(folder + (fs::exists(folder, ec) ? " is not a folder" : " does not exist") +
                                "; type a folder, or pick one in the list");
    fs::directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
    if (ec) return core::make_error("cannot read the folder " + folder + ": " + ec.message());
    std::vector<FolderEntry> out;
    for (const fs::directory_iterator end; it != end; it.increment(ec)) {
        if (ec) return core::make_error("cannot read the folder " + folder + ": " + ec.message());
        const std::string name = it->path().filename().string();
        if (!show_hidden && !name.empty() && name[0] == '.') continue;
        std::error_code entry_ec;
        const fs::file_status status = it->status(entry_ec);  // follows links
        if (entry_ec || !fs::exists(status)) continue;        // a broken link
        FolderEntry e;
        e.name = name;
        e.is_folder = fs::is_directory(status);
        if (!e.is_folder) {
            if (!is_array_file_name(name)) continue;
            e.size = it->file_size(entry_ec);
            if (entry_ec) e.size = 0;
        }
        out.push_back(std::move(e));
    }
    std::sort(out.begin(), out.end(), [](const FolderEntry& a, const FolderEntry& b) {
        if (a.is_folder != b.is_folder) return a.is_folder;
        const std::string la = lower(a.name), lb = lower(b.name);
        if (la != lb) return la < lb;
        return a.name < b.name;
    });
    return out;
}

std::string parent_folder(const std::string& folder) {
    fs::path p = fs::path(folder).lexically_normal();
    if (p.is_relative()) {
        std::error_code ec;
        p = (fs::current_path(ec) / p).lexically_normal();
    }
    std::string s = p.string();
    while (s.size() > 1 && s.back() == '/') s.pop_back();  // "/data/x/" is "/data/x"
    p = fs::path(s);
    if (!p.has_relative_path()) return p.root_path().string();  // "/" stays
    return p.parent_path().string();
}

std::string resolve_in_folder(const std::string& folder, const std::string& typed) {
    const std::string expanded = expand_home(typed);
    if (expanded.empty() || fs::path(expanded).is_absolute()) return expanded;
    return (fs::path(folder) / expanded).lexically_normal().string();
}

}  // namespace normviz::app
