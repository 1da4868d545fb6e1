// Machine-readable status lines on stdout (--status), for end-to-end tests and scripts:
// the focus, where each canvas is, and the focus's statistics under each shown norm.
#pragma once

#include <string>
#include <vector>

#include "app/state/app_state.h"
#include "app/ui/panels.h"

namespace normviz::app {

// The status block for the current state; one "key=value ..." line per record, ending with
// "end". Numbers use %.17g so they compare exactly with `normviz stats`.
std::string format_status(const AppState& state, const std::vector<PanelRect>& rects);

}  // namespace normviz::app
