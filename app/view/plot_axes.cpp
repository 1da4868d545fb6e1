#include "app/view/plot_axes.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace normviz::app {

namespace {

// The smallest 1, 2 or 5 x 10^k at least `raw`.
double nice_step(double raw) {
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * power >= raw * (1 - 1e-12)) return m * power;
    return 10 * power;
}

}  // namespace

AxisRange axis_range(const std::vector<double>& values, bool from_zero) {
    double lo = INFINITY, hi = -INFINITY;
    for (double v : values)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!(lo <= hi)) return {0, 1};
    if (from_zero) lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);
    if (lo == hi) return from_zero ? AxisRange{lo, lo + 1} : AxisRange{lo - 1, hi + 1};
    const double step = nice_step((hi - lo) / 4);
    return {std::floor(lo / step) * step, std::ceil(hi / step) * step};
}

std::vector<double> axis_ticks(AxisRange range, int max_ticks) {
    max_ticks = std::max(max_ticks, 2);
    const double span = range.hi - range.lo;
    if (!(span > 0) || !std::isfinite(span)) return {range.lo};
    const double step = nice_step(span / (max_ticks - 1));
    std::vector<double> ticks;
    for (double t = std::ceil(range.lo / step - 1e-9) * step; t <= range.hi + step * 1e-9; t += step)
        ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

AxisRange log2_axis_range(const std::vector<double>& values) {
    double lo = INFINITY, hi = -INFINITY;
    for (double v : values)
        if (std::isfinite(v) && v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!(lo <= hi)) return {1, 2};
    double lo_exp = std::floor(std::log2(lo)), hi_exp = std::ceil(std::log2(hi));
    if (lo_exp == hi_exp) lo_exp -= 1, hi_exp += 1;
    return {std::exp2(lo_exp), std::exp2(hi_exp)};
}

std::vector<double> log2_axis_ticks(AxisRange range, int max_ticks) {
    max_ticks = std::max(max_ticks, 2);
    if (!(range.lo > 0) || !(range.hi >= range.lo) || !std::isfinite(range.hi)) return {};
    const int first = static_cast<int>(std::ceil(std::log2(range.lo) - 1e-9));
    const int last = static_cast<int>(std::floor(std::log2(range.hi) + 1e-9));
    int stride = 1;
    while ((last - first) / stride + 1 > max_ticks) stride *= 2;
    std::vector<double> ticks;
    for (int e = first; e <= last; e += stride) ticks.push_back(std::exp2(e));
    return ticks;
}

std::string tick_label(double value, double step) {
    char text[32];
    const int decimals = step > 0 && step < 1 ? static_cast<int>(std::ceil(-std::log10(step) - 1e-9)) : 0;
    if (std::abs(value) >= 1e6) std::snprintf(text, sizeof text, "%.0e", value);
    else std::snprintf(text, sizeof text, "%.*f", std::min(decimals, 6), value);
    return text;
}

}  // namespace normviz::app
