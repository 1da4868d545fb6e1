// Dispatch of the headless subcommands, and the program's --help and --version.
#include "app/cli/cli.h"

#include <cstdio>
#include <exception>
#include <new>
#include <string_view>

#include "app/cli/command.h"
#include "core/safe_file.h"

namespace normviz::app {

namespace {

struct Command {
    std::string_view name;
    int (*run)(int argc, char** argv);
};

constexpr Command kCommands[] = {
    {"normalize", cli::run_normalize},
    {"stats", cli::run_stats},
    {"mask", cli::run_mask},
    {"train", cli::run_train},
};

constexpr const char* kHelp =
    "normviz: which values does a normalization layer pool together?\n"
    "\n"
    "Usage:\n"
    "  normviz [FILE.npy]              open the desktop program (with a tensor from FILE.npy)\n"
    "  normviz SUBCOMMAND [OPTIONS]    run a headless subcommand, no window\n"
    "\n"
    "Subcommands:\n"
    "  normalize   normalize a .npy tensor like PyTorch's training-mode forward (no affine)\n"
    "  stats       print each group's key, count, mean, var and mean_sq as JSON or CSV\n"
    "  mask        write a uint8 .npy mask: 1 where a value is pooled with a focus cell\n"
    "  train       train a small CNN on generated shapes with a norm, or sweep norms x batch\n"
    "  bench       time statistics + normalization of every norm against a plain copy\n"
    "\n"
    "Subcommands that need OpenGL (a display, or EGL off screen without one):\n"
    "  render        draw the visualizer's picture off screen into a PNG\n"
    "  bench-render  time frames of the comparison view with a moving focus\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help, then the desktop program's options ('normviz SUBCOMMAND\n"
    "              --help' for a subcommand's)\n"
    "  --version   print the version\n"
    "\n"
    "Norms: batch, layer, instance, group --groups G, layer-token, rms, custom --axes AXES.\n"
    "\n"
    "Examples:\n"
    "  normviz normalize --norm group --groups 2 acts.npy normalized.npy\n"
    "  normviz stats --norm batch acts.npy --format csv\n"
    "  normviz mask --shape 2,4,3,3 --norm instance --focus 0,1,2,2 mask.npy\n"
    "  normviz train --norm group --groups 4 --batch 2\n"
    "  normviz acts.npy\n";

// Runs a subcommand; memory exhaustion and other exceptions become one-line errors.
int run_command(const Command& command, int argc, char** argv) {
    core::install_signal_cleanup(/*keep_running=*/false);  // an interrupted OUT leaves no temp file
    try {
        return command.run(argc, argv);
    } catch (const std::bad_alloc&) {
        return cli::report_error(command.name, cli::kExitDataError,
                                 "out of memory; the tensor is too large for this machine");
    } catch (const std::exception& e) {
        return cli::report_error(command.name, cli::kExitDataError, std::string("internal error: ") + e.what());
    }
}

}  // namespace

std::optional<int> try_run_cli(int argc, char** argv) {
    if (argc < 2 || argv[1] == nullptr) return std::nullopt;
    std::string_view first = argv[1];
    if (first == "--help" || first == "-h") {
        std::fputs(kHelp, stdout);
        return cli::kExitOk;
    }
    if (first == "--version") {
        std::printf("normviz %s\n", NORMVIZ_VERSION);
        return cli::kExitOk;
    }
    for (const Command& command : kCommands) {
        if (first == command.name) return run_command(command, argc, argv);
    }
    // A path, a desktop option, "render" (reserved for the desktop side): not ours.
    return std::nullopt;
}

}  // namespace normviz::app
