// normviz_bench: the benchmark without the desktop program (same code as `normviz bench`).
#include "bench/bench.h"

int main(int argc, char** argv) { return normviz::bench::run_bench(argc, argv); }
