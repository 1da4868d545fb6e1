// Number formatting shared by the panels: never a bare NaN without words.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace normviz::app {

inline std::string format_number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

}  // namespace normviz::app
