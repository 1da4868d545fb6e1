// Placeholder until the window lands: says so and exits non-zero.
#include "app/desktop.h"

#include <cstdio>

namespace normviz::app {

int run_desktop(int, char**) {
    std::fprintf(stderr, "normviz: the desktop program is not built yet; see normviz --help\n");
    return 1;
}

}  // namespace normviz::app
