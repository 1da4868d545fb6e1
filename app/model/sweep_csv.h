// The batch-size sweep as a table: read from the CSV `normviz train --sweep --csv` writes
// (app/cli/command_train.cpp: norm,batch,epoch,steps,train_loss,val_loss,val_error,seconds),
// or filled from the Train panel's own sweep, and turned into the lines of its figure
// (held-out error against batch size, one line per norm; the GN paper's Figure 1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace normviz::app {

struct SweepRow {
    std::string norm;  // as train_norm_name spells it: none, batch, layer, instance, group, rms, ...
    int64_t batch = 0;
    int epoch = 0;
    int64_t steps = 0;
    double train_loss = 0, val_loss = 0, val_error = 0, seconds = 0;
};

struct SweepTable {
    std::vector<SweepRow> rows;  // in the file's order
};

// One line of the figure: a norm's held-out error (0..1) at each batch size, batches rising.
struct SweepLine {
    std::string norm;
    std::vector<double> batch, error;
};

inline constexpr uint64_t kSweepCsvMaxBytes = 4 << 20;

// Parses the CSV text. Errors (one line, naming the line number): a header other than the
// train command's, a row with another number of fields, a field that is not a number of its
// kind, batch or epoch < 1, an error outside 0..1, no rows.
core::Result<SweepTable> parse_sweep_csv(const std::string& text);
// Reads and parses the file at `path` (bounded opening, core/input_file.h).
core::Result<SweepTable> read_sweep_csv(const std::string& path);
// The figure's lines: per norm in order of first appearance, the row with the last epoch at
// each batch size, batch sizes ascending.
std::vector<SweepLine> sweep_lines(const SweepTable& table);
// The held-out error of `norm` at `batch` (its last epoch), or NaN when the table has none.
double sweep_error(const SweepTable& table, const std::string& norm, int64_t batch);

}  // namespace normviz::app
