// The headless subcommands of normviz: normalize, stats, mask, --help, --version.
#pragma once

#include <optional>

namespace normviz::app {

// Runs argv as a headless command when argv[1] names one (or is --help/-h/--version) and
// returns its exit status; returns nullopt when argv is for the desktop program.
std::optional<int> try_run_cli(int argc, char** argv);

}  // namespace normviz::app
