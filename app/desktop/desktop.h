// The desktop program: a window with the visualizer.
#pragma once

namespace normviz::app {

// Parses the desktop options in argv, opens the window and runs until it closes.
// Returns the process exit status.
int run_desktop(int argc, char** argv);

}  // namespace normviz::app
