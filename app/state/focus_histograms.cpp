// Histograms of the focus's group per panel: cache, small groups here, large on the worker.
#include "app/state/focus_histograms.h"

#include <utility>

#include "app/state/app_state.h"

namespace normviz::app {

namespace {

// The panel's cache, emptied when its statistics or the affine edits change.
void reset_cache_unless(PanelDerived& p, const HistogramKey& inputs) {
    if (p.histogram_cache_for.same_inputs(inputs)) return;
    p.histogram_cache.clear();
    p.histogram_cache_for = inputs;
}

// The key of group number `group` (Partition::group_of numbers keys in NCHW order).
core::Index key_of_group(const core::Partition& p, int64_t group) {
    const auto k = p.key_extents();
    return core::unflat_index(core::Shape{k[0], k[1], k[2], k[3]}, group);
}

}  // namespace

void update_focus_histograms(AppState& state) {
    for (HistogramWorker::Done& done : state.histogram_worker.take_done()) {
        if (done.panel >= static_cast<int>(state.panels.size())) continue;
        PanelDerived& p = state.panels[done.panel];
        // Results for statistics or affine edits that have changed since are of no use.
        const HistogramKey now{p.stats_version, done.key.group, state.affine_version};
        if (done.key != now) continue;
        reset_cache_unless(p, now);
        p.histogram_cache[done.key.group] = std::move(done.histograms);
    }
    for (size_t i = 0; i < state.panels.size(); ++i) {
        PanelDerived& p = state.panels[i];
        if (p.stats.empty() || p.eval_mode) {  // eval mode pools no value of the batch
            p.histograms = {};
            p.histograms_key = p.histograms_wanted = {};
            p.histogram_cache.clear();
            continue;
        }
        if (!state.show_stats) continue;
        const HistogramKey wanted{p.stats_version, p.partition.group_of(state.scene.focus), state.affine_version};
        p.histograms_wanted = wanted;
        if (p.histograms_key == wanted) continue;
        reset_cache_unless(p, wanted);
        if (auto cached = p.histogram_cache.find(wanted.group); cached != p.histogram_cache.end()) {
            p.histograms = cached->second;
            p.histograms_key = wanted;
            continue;
        }
        const core::Index key = p.partition.key_of(state.scene.focus);
        if (p.partition.group_size() <= kSyncHistogramValues) {
            p.histograms =
                core::group_histograms(state.tensor.data.data(), p.spec, p.partition,
                                       p.stats[static_cast<size_t>(wanted.group)], state.affine, key, kHistogramBins);
            p.histograms_key = wanted;
            if (p.histogram_cache.size() >= kSmallGroupsCached) p.histogram_cache.clear();
            p.histogram_cache[wanted.group] = p.histograms;
            continue;
        }
        // What the worker's jobs read: the tensor's buffer (set_tensor stops the worker before
        // it replaces it) and copies of the rest (few groups: each is large).
        HistogramWorker::Compute compute = [values = state.tensor.data.data(), spec = p.spec, partition = p.partition,
                                            stats = p.stats,
                                            affine = state.affine](int64_t group, const std::atomic<bool>& cancel) {
            return core::group_histograms(values, spec, partition, stats[static_cast<size_t>(group)], affine,
                                          key_of_group(partition, group), kHistogramBins, &cancel);
        };
        state.histogram_worker.request(static_cast<int>(i), wanted, p.partition.group_count(), std::move(compute));
    }
}

void finish_focus_histograms(AppState& state) {
    update_focus_histograms(state);
    state.histogram_worker.wait_idle();
    update_focus_histograms(state);
}

}  // namespace normviz::app
