// Plain-language explanations of groups whose statistics are degenerate, and the formula of a
// group's size, for the statistics panel.
#pragma once

#include <string>

#include "core/norm_spec.h"
#include "core/partition.h"
#include "core/stats.h"

namespace normviz::core {

// A sentence explaining why this group's numbers are degenerate (one value, zero variance
// with eps = 0, NaN or Inf inside), or empty when they are ordinary.
std::string explain_group(const NormSpec& spec, const GroupStats& stats);

// "N·H·W = 64": the product of extents that gives the group size, as a formula.
std::string group_size_formula(const Partition& partition);

}  // namespace normviz::core
