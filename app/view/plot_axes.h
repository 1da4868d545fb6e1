// Axes of the small line plots (the Train panel's curves): the range a set of values needs
// and round tick values for it ("nice numbers": 1, 2 or 5 times a power of ten).
#pragma once

#include <string>
#include <vector>

namespace normviz::app {

struct AxisRange {
    double lo = 0, hi = 1;
};

// The range covering every finite value of `values` (NaN and inf are left out), widened to
// round ticks; `from_zero` keeps 0 in it. No finite value: [0, 1]. All equal: +-1 around it
// (or [v, v + 1] from zero).
AxisRange axis_range(const std::vector<double>& values, bool from_zero);
// Tick positions inside [range.lo, range.hi], evenly spaced by a 1, 2 or 5 times a power of
// ten step, at most `max_ticks` (>= 2) of them.
std::vector<double> axis_ticks(AxisRange range, int max_ticks);
// A log2 axis (batch sizes): the range covering every finite positive value, widened to
// powers of two ([2, 32] for 2..32). None: [1, 2]. One value v: [v / 2, 2v] when v is a power of
// two, else the powers of two around it.
AxisRange log2_axis_range(const std::vector<double>& values);
// Every power of two inside the log2 range (2, 4, 8, 16, 32 for [2, 32]); when more than
// `max_ticks` (>= 2), every second, fourth, ... of them.
std::vector<double> log2_axis_ticks(AxisRange range, int max_ticks);
// A tick's label: as few digits as the step between ticks needs ("0.25", "10", "1e+06").
std::string tick_label(double value, double step);

}  // namespace normviz::app
