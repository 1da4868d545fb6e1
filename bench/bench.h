// normviz's benchmark as a library, so that `normviz bench` and the standalone normviz_bench
// run the same code.
#pragma once

namespace normviz::bench {

// Runs the benchmark with command-line arguments; argv[0] is the command name ("bench").
//   [--shape N,C,H,W]  tensor shape, default 32,256,56,56
//   [--threads T]      threads, default all hardware threads
//   [--repeat R]       timed runs per operation, default: enough for a stable median
// Prints one line per operation to stdout, "<name> <median ms> ms <GB/s> GB/s", first `copy`
// (a plain copy of the same tensor, the floor), then batch, layer, instance, group (G = 32),
// layer-token and rms; the settings go to stderr. Returns a process exit code: 0, or 2 for
// bad arguments (with a message on stderr).
int run_bench(int argc, char** argv);

}  // namespace normviz::bench
