// Predict, then reveal: the questions (mark the cells pooled with a given cell, or pick how
// many statistics a norm keeps or how many values each pools), the cells one gesture marks,
// the scoring, and the sentence that explains the answer. Pure functions of the partition.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "app/view/grid_layout.h"
#include "core/norm_spec.h"
#include "core/partition.h"
#include "core/shape.h"

namespace normviz::app {

struct QuizScore {
    int64_t pooled = 0;        // cells truly in the focus's group (the focus included)
    int64_t hits = 0;          // marked and pooled
    int64_t misses = 0;        // pooled but not marked
    int64_t false_alarms = 0;  // marked but not pooled
    // hits / (pooled + false_alarms): 1 only for exactly the group, 0 when nothing is right.
    double score = 0;
};

// Scores `guesses` (flat NCHW indices) against the focus's group under `partition`. The
// focus itself counts as pooled whether marked or not (it is given: it is always a hit).
// Guesses outside the tensor count as false alarms. Precondition: contains(shape, focus).
QuizScore score_quiz(const core::Partition& partition, const core::Index& focus, const std::set<int64_t>& guesses);

// Cells: mark the cells pooled with the focus. Count / Size: pick, among choices, how many
// statistics (groups) the norm keeps for this tensor, or how many values each one pools.
enum class QuizKind { Cells, Count, Size };
const char* quiz_kind_name(QuizKind kind);  // "cells", "count", "size"

struct QuizQuestion {
    QuizKind kind = QuizKind::Cells;
    core::NormKind norm = core::NormKind::Batch;
    core::Index focus;
};

// The round-th question for `shape`: cycles through the norms that apply to the shape
// (Batch, Layer, Instance, Group with `groups`, LayerToken) and a focus cell drawn from the
// round number, the same on every run. Every third round (2, 5, 8, ...) is a multiple-choice
// question, alternately on the number of statistics and on the values each pools.
QuizQuestion quiz_question(const core::Shape& shape, int64_t groups, uint64_t round);

struct QuizChoices {
    std::vector<int64_t> values;  // ascending, distinct
    int answer = -1;              // index of the true value in `values`
};

// The choices of a Count or Size question: the true number, read from `truth` (group_count or
// group_size), and up to three other numbers a student might confuse it with (the other
// norms' counts and sizes on this shape, N, C, H·W, ...), picked by `round`.
QuizChoices quiz_choices(const core::Partition& truth, QuizKind kind, int64_t groups, uint64_t round);

// The question in words: "How many statistics (mean and variance pairs) does GroupNorm
// (G = 4) keep for this (8, 3, 4, 4) tensor?".
std::string quiz_prompt(const QuizQuestion& question, const core::Shape& shape, int64_t groups);

// One sentence on the focus's group, from the partition: "BatchNorm pools N, H, W: channel 2
// of every sample, 128 values." Precondition: contains(partition.shape, focus).
std::string explain_quiz_group(const core::NormSpec& spec, const core::Partition& partition, const core::Index& focus);

// Cells one gesture marks, as flat NCHW indices: a whole channel tile of a sample, a whole
// sample, one channel in every sample, and every cell a world rectangle (corners in any
// order) overlaps in the grid picture.
std::vector<int64_t> tile_cells(const core::Shape& shape, int64_t n, int64_t c);
std::vector<int64_t> sample_cells(const core::Shape& shape, int64_t n);
std::vector<int64_t> channel_cells(const core::Shape& shape, int64_t c);
std::vector<int64_t> cells_in_rect(const GridLayout& layout, Vec2 a, Vec2 b);

// Marks every cell of `cells`, or, when all of them are marked already, unmarks them: one
// gesture toggles the whole selection.
void toggle_cells(std::set<int64_t>& guesses, const std::vector<int64_t>& cells);

}  // namespace normviz::app
