// What the subcommands share: entry points, exit statuses, error reporting, path checks.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace normviz::app::cli {

// Exit statuses of the subcommands.
inline constexpr int kExitOk = 0;
// The data does not suit the command: an input that is missing, unreadable, malformed or of
// the wrong dtype/rank, a norm that is invalid for the input's shape, an unwritable OUT.
inline constexpr int kExitDataError = 1;
// The command line alone is wrong: unknown option, missing or bad value, conflicting norm
// options, wrong number of paths, OUT equal to IN; for mask (whose shape is on the command
// line) also a focus outside --shape and a norm that is invalid for --shape.
inline constexpr int kExitUsageError = 2;

// Entry points: argv[1] is the subcommand's name; its arguments start at argv[2].
int run_normalize(int argc, char** argv);
int run_stats(int argc, char** argv);
int run_mask(int argc, char** argv);
int run_train(int argc, char** argv);

// Whether "--help" or "-h" is among argv[2..] (see wants_help); if so, prints `help` on stdout.
bool print_help_if_asked(int argc, char** argv, const std::string& help);

// Prints "normviz COMMAND: MESSAGE" as exactly one line on stderr (line breaks inside the
// message become spaces) and returns `status`. An empty command prints "normviz: MESSAGE".
int report_error(std::string_view command, int status, std::string_view message);
// A usage error: appends "; see 'normviz COMMAND --help'" and returns kExitUsageError.
int report_usage_error(std::string_view command, std::string_view message);

// Error when OUT names the same file as IN (writing would replace the input).
core::Status check_not_same_file(const std::string& out, const std::string& in);
// Error when OUT cannot be a new file: it is a folder or another non-regular file (a device
// such as /dev/null, which the writers' rename would replace), or its folder does not exist.
// (Permissions and full disks are reported by the atomic writers, which leave no file.)
core::Status check_output_folder(const std::string& out);

}  // namespace normviz::app::cli
