// The Train panel's actions on AppState: start a run with the panel's settings, and put the
// trained network's own activations into the grid (and its BatchNorm running statistics into
// eval mode).
#pragma once

#include <optional>
#include <span>
#include <string>

#include "app/state/app_state.h"

namespace normviz::app {

// The norms a run can use, in the panel's order: "none", then the presets.
struct TrainNormChoice {
    const char* label;
    std::optional<core::NormKind> kind;  // nullopt: no normalization
};
std::span<const TrainNormChoice> train_norm_choices();

// The config the panel's settings describe (norm, G, batch, epochs, lr).
core::train::TrainConfig train_config_of(const TrainWindow& w);
// Starts a run; false with TrainWindow::error when the settings are refused or a run is going.
bool start_training(AppState& state);
// Starts the default sweep (core::train::default_sweep_jobs with the panel's G) with the
// panel's epochs, images and learning rate; false with TrainWindow::error when refused.
bool start_training_sweep(AppState& state);
// Reads the sweep CSV at `path` (written by normviz train --sweep --csv) into the figure;
// false with a one-line TrainWindow::error when it cannot be read or is not such a CSV.
bool load_sweep_csv(AppState& state, const std::string& path);
// The input of block `layer`'s norm for the first `batch` held-out images, through the last
// finished run's network in eval mode, written as a .npy in cache_folder() and loaded as the
// tensor; BatchNorm's running statistics of that layer become the eval-mode statistics.
// False with TrainWindow::error when no run has finished.
bool show_trained_activations(AppState& state, int layer);

}  // namespace normviz::app
