// Remembered between runs: window size, text size and the last scene, in a small key=value
// file under $XDG_CONFIG_HOME/normviz (or ~/.config/normviz).
#pragma once

#include "app/app_state.h"

namespace normviz::app {

struct Settings {
    bool loaded = false;
    int window_width = 1400, window_height = 900;
};

// Reads the settings file into state (scene, font size); unknown or bad lines are ignored.
Settings load_settings(AppState& state);
// Writes the settings file atomically; failures are silent (settings are a convenience).
void save_settings(const AppState& state, int window_width, int window_height);

}  // namespace normviz::app
