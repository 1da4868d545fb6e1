// `normviz bench-render`: times frames of the comparison view with the focus moving.
#pragma once

namespace normviz::app {

// argv[1] == "bench-render". Prints each round's median frame, CPU and GPU times per shape,
// then per shape the medians over rounds and the median ratio of its frame to the first
// shape's. Returns the exit status.
int run_bench_render(int argc, char** argv);

}  // namespace normviz::app
