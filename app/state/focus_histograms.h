// The statistics panel's histograms of the focus's group (PanelDerived::histograms), so that a
// focus change costs the same at any tensor size: the numbers beside them are lookups in the
// group's statistics, and the histograms come from a per-panel cache keyed by group. A miss
// is computed here when the group is small, else on AppState::histogram_worker while the
// previous group's histograms stay on screen; the worker then counts the panel's other large
// groups too, so that later focus changes find theirs ready.
#pragma once

#include <cstddef>
#include <cstdint>

namespace normviz::app {

struct AppState;

// Group sizes up to this are computed on the frame's thread (about 0.3 ms on a slow 2-core
// machine, so six panels stay well within a frame); larger ones on the worker.
inline constexpr int64_t kSyncHistogramValues = int64_t{1} << 17;
inline constexpr int kHistogramBins = 24;
// Small groups remembered per panel (a panel of large groups keeps all of them: there are at
// most numel / kSyncHistogramValues).
inline constexpr size_t kSmallGroupsCached = 4096;

// Installs finished worker results and brings every panel's histograms to the focus's group
// where cached or small, else asks the worker. Nothing is computed while the statistics
// panel is hidden. Called by update_derived.
void update_focus_histograms(AppState& state);
// Waits for the worker and installs its results: every panel then shows the focus's group.
void finish_focus_histograms(AppState& state);

}  // namespace normviz::app
