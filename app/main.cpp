// normviz entry point: headless subcommands, or the desktop program.
#include <string_view>

#include "app/cli/cli.h"
#include "app/desktop.h"
#include "bench/bench.h"

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "bench") return normviz::bench::run_bench(argc - 1, argv + 1);
    if (auto status = normviz::app::try_run_cli(argc, argv)) return *status;
    return normviz::app::run_desktop(argc, argv);
}
