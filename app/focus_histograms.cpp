// Histograms of the focus's group per panel: cache, small groups here, large on the worker.
#include "app/focus_histograms.h"

#include <algorithm>
#include <utility>

#include "app/app_state.h"

namespace normviz::app {

namespace {

void remember(PanelDerived& p, const HistogramKey& key, core::GroupHistograms histograms) {
    auto& cache = p.histogram_cache;
    cache.erase(std::remove_if(cache.begin(), cache.end(), [&](const auto& e) { return e.first == key; }),
                cache.end());
    if (cache.size() >= kHistogramCacheSize) cache.erase(cache.begin());
    cache.emplace_back(key, std::move(histograms));
}

}  // namespace

void update_focus_histograms(AppState& state) {
    for (HistogramWorker::Done& done : state.histogram_worker.take_done()) {
        if (done.panel >= static_cast<int>(state.panels.size())) continue;
        PanelDerived& p = state.panels[done.panel];
        // Results for statistics or affine edits that have changed since are of no use.
        if (done.key.stats_version == p.stats_version && done.key.affine_version == state.affine_version)
            remember(p, done.key, std::move(done.histograms));
    }
    for (size_t i = 0; i < state.panels.size(); ++i) {
        PanelDerived& p = state.panels[i];
        if (p.stats.empty() || p.eval_mode) {  // eval mode pools no value of the batch
            p.histograms = {};
            p.histograms_key = p.histograms_wanted = {};
            continue;
        }
        if (!state.show_stats) continue;
        const HistogramKey wanted{p.stats_version, p.partition.group_of(state.scene.focus), state.affine_version};
        p.histograms_wanted = wanted;
        if (p.histograms_key == wanted) continue;
        auto cached = std::find_if(p.histogram_cache.begin(), p.histogram_cache.end(),
                                   [&](const auto& e) { return e.first == wanted; });
        if (cached != p.histogram_cache.end()) {
            p.histograms = cached->second;
            p.histograms_key = wanted;
            continue;
        }
        // What the job reads: the tensor's buffer (set_tensor stops the worker before it
        // replaces it) and copies of everything else.
        HistogramWorker::Compute compute =
            [values = state.tensor.data.data(), spec = p.spec, partition = p.partition,
             stats = p.stats[static_cast<size_t>(wanted.group)], affine = state.affine,
             key = p.partition.key_of(state.scene.focus)](const std::atomic<bool>& cancel) {
                return core::group_histograms(values, spec, partition, stats, affine, key, kHistogramBins, &cancel);
            };
        if (p.partition.group_size() <= kSyncHistogramValues) {
            const std::atomic<bool> never{false};
            p.histograms = compute(never);
            p.histograms_key = wanted;
            remember(p, wanted, p.histograms);
        } else if (!state.histogram_worker.asked(static_cast<int>(i), wanted)) {
            state.histogram_worker.request(static_cast<int>(i), wanted, std::move(compute));
        }
    }
}

void finish_focus_histograms(AppState& state) {
    update_focus_histograms(state);
    state.histogram_worker.wait_idle();
    update_focus_histograms(state);
}

}  // namespace normviz::app
