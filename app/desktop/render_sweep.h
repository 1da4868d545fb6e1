// `normviz render --train-sweep FILE.csv --out fig.png [--size WxH] [--font-size PX]`: the
// batch-size sweep's figure (app/ui/sweep_figure.h) from a CSV of normviz train --sweep --csv,
// drawn off screen into a PNG, as `normviz render` draws its figures.
#pragma once

namespace normviz::app {

// Whether argv is `normviz render ... --train-sweep ...`.
bool is_render_sweep_command(int argc, char** argv);
// Runs it: 0 when the PNG is written; else one line on stderr and 1 (2 for a usage error).
int run_render_sweep(int argc, char** argv);

}  // namespace normviz::app
