// Predict, then reveal: the question (a norm and a focus cell) and the scoring of the cells a
// student marked as pooled with the focus. Pure functions of the partition.
#pragma once

#include <cstdint>
#include <set>

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
QuizScore score_quiz(const core::Partition& partition, const core::Index& focus,
                     const std::set<int64_t>& guesses);

struct QuizQuestion {
    core::NormKind norm;
    core::Index focus;
};

// The round-th question for `shape`: cycles through the norms that apply to the shape
// (Batch, Layer, Instance, Group with `groups`, LayerToken) and a focus cell drawn from the
// round number, the same on every run.
QuizQuestion quiz_question(const core::Shape& shape, int64_t groups, uint64_t round);

}  // namespace normviz::app
