// The named colours every picture shares: the canvases (shader, legend), the SVG export and
// the tests that read pixels back.
#pragma once

#include "app/view/colormap.h"

namespace normviz::app {

inline constexpr Rgb kCanvasBackground{30, 30, 34};
inline constexpr Rgb kHighlight{255, 196, 0};    // the focus's group
inline constexpr Rgb kFocusRing{255, 255, 255};  // the focus cell

}  // namespace normviz::app
