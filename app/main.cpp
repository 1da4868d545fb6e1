// normviz entry point: headless subcommands, or the desktop program.
#include <cstdio>
#include <string_view>

#include "app/cli/cli.h"
#include "app/desktop/desktop.h"
#include "app/desktop/desktop_options.h"
#include "bench/bench.h"

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "bench") return normviz::bench::run_bench(argc - 1, argv + 1);
    if (auto status = normviz::app::try_run_cli(argc, argv)) {
        // --help lists the subcommands (try_run_cli), then every option of the desktop program.
        const std::string_view first = argv[1];
        if (first == "--help" || first == "-h") std::printf("\n%s", normviz::app::desktop_usage());
        return *status;
    }
    return normviz::app::run_desktop(argc, argv);
}
