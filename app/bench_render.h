// `normviz bench-render`: times frames of the comparison view with the focus moving.
#pragma once

namespace normviz::app {

// argv[1] == "bench-render". Prints "frame <median ms> ms" per shape and, with the default
// shapes, the ratio of the large tensor's frame to the small one's. Returns the exit status.
int run_bench_render(int argc, char** argv);

}  // namespace normviz::app
