// normviz entry point: headless subcommands, or the desktop program.
#include "app/cli/cli.h"
#include "app/desktop.h"

int main(int argc, char** argv) {
    if (auto status = normviz::app::try_run_cli(argc, argv)) return *status;
    return normviz::app::run_desktop(argc, argv);
}
