// One-line error reports on stderr, and the checks on OUT that run before any work.
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "app/cli/command.h"
#include "app/cli/arguments.h"
#include "core/safe_file.h"

namespace normviz::app::cli {

namespace fs = std::filesystem;

bool print_help_if_asked(int argc, char** argv, const std::string& help) {
    if (!wants_help(argc, argv, 2)) return false;
    std::fputs(help.c_str(), stdout);
    return true;
}

int report_error(std::string_view command, int status, std::string_view message) {
    std::string line = "normviz";
    if (!command.empty()) {
        line += ' ';
        line += command;
    }
    line += ": ";
    for (char ch : message) line += (ch == '\n' || ch == '\r') ? ' ' : ch;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    line += '\n';
    std::fflush(stdout);
    std::fputs(line.c_str(), stderr);
    return status;
}

int report_usage_error(std::string_view command, std::string_view message) {
    std::string text(message);
    text += "; see 'normviz ";
    text += command;
    text += " --help'";
    return report_error(command, kExitUsageError, text);
}

core::Status check_not_same_file(const std::string& out, const std::string& in) {
    std::error_code ec;
    bool same = fs::equivalent(out, in, ec);
    if (ec) {
        // One of them does not exist yet: compare the paths themselves.
        std::error_code ec_out, ec_in;
        fs::path a = fs::weakly_canonical(out, ec_out);
        fs::path b = fs::weakly_canonical(in, ec_in);
        same = !ec_out && !ec_in && a == b;
    }
    if (same) {
        return core::make_error("OUT '" + out + "' is the input file; choose another OUT so " + "the input is kept");
    }
    return core::Ok{};
}

core::Status check_output_folder(const std::string& out) {
    if (out.empty()) return core::make_error("OUT is empty; give a file name such as out.npy");
    std::error_code ec;
    fs::path path(out);
    if (fs::is_symlink(fs::symlink_status(path, ec))) return core::check_destination(out);
    if (fs::is_directory(path, ec)) {
        return core::make_error("cannot write '" + out + "': it is a folder; give a file name " + "such as " +
                                (path / "out.npy").string());
    }
    // The writers rename a temporary file onto OUT: that would replace a device or a pipe.
    if (fs::exists(path, ec) && !fs::is_regular_file(path, ec)) {
        return core::make_error("cannot write '" + out + "': it exists and is not a regular " +
                                "file (a device, pipe or socket); choose a file path for OUT");
    }
    const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    if (!fs::exists(folder, ec)) {
        return core::make_error("cannot write '" + out + "': folder '" + folder.string() +
                                "' does not exist; create it or choose another OUT");
    }
    if (!fs::is_directory(folder, ec)) {
        return core::make_error("cannot write '" + out + "': '" + folder.string() +
                                "' is not a folder; choose another OUT");
    }
    return core::check_destination(out);
}

}  // namespace normviz::app::cli
