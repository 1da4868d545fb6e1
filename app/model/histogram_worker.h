// The statistics panel's histograms of large groups, computed on one worker thread so that a
// focus change never waits for them (app/state/focus_histograms.h decides what goes here). Per
// panel it counts the focus's group first, then every other group of the panel, so that
// later focus changes find theirs ready: one pass over the tensor per panel, once per tensor,
// norm and affine edit.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/group_histogram.h"

namespace normviz::app {

// Which histograms: the group, the statistics it is normalized with, and the affine edits.
struct HistogramKey {
    uint64_t stats_version = 0;   // PanelDerived::stats_version; 0: none
    int64_t group = -1;           // Partition::group_of the focus
    uint64_t affine_version = 0;  // AppState::affine_version
    bool operator==(const HistogramKey& o) const {
        return stats_version == o.stats_version && group == o.group && affine_version == o.affine_version;
    }
    bool operator!=(const HistogramKey& o) const { return !(*this == o); }
    bool same_inputs(const HistogramKey& o) const {
        return stats_version == o.stats_version && affine_version == o.affine_version;
    }
};

class HistogramWorker {
public:
    // Computes one group's histograms; gives up early (any result) once `cancel` is true.
    using Compute = std::function<core::GroupHistograms(int64_t group, const std::atomic<bool>& cancel)>;
    struct Done {
        int panel = 0;
        HistogramKey key;
        core::GroupHistograms histograms;
    };

    HistogramWorker() = default;
    ~HistogramWorker();  // cancels, and joins the thread
    // A copy of AppState gets an idle worker of its own (jobs read their own state's tensor).
    HistogramWorker(const HistogramWorker&) {}
    HistogramWorker& operator=(const HistogramWorker&) = delete;
    // A moved AppState's tensor changes owner: its jobs stop first.
    HistogramWorker(HistogramWorker&& other) { other.cancel_and_wait(); }

    // Asks for `key`'s group before anything else. When `key`'s statistics or affine edits
    // are new for the panel, its work is replaced: `key`'s group, then every other of its
    // `group_count` groups, by `compute` (a running job of the old inputs is cancelled). A
    // group already counted for these inputs, or being counted, is not asked again.
    void request(int panel, const HistogramKey& key, int64_t group_count, Compute compute);
    // Finished groups since the last call, oldest first; has_done: whether there are any.
    std::vector<Done> take_done();
    bool has_done() const;
    // Drops all work and cancels the running job; returns once no job runs. Before the data
    // the jobs read is replaced (set_tensor).
    void cancel_and_wait();
    // Returns once nothing waits or runs (tests, and a frame that must show the result).
    void wait_idle();
    // Called from the worker thread when a focus's group finishes (e.g. Window::wake).
    std::function<void()> wake;

private:
    struct Panel {
        HistogramKey inputs;  // statistics and affine versions of the work below
        Compute compute;
        std::deque<int64_t> todo;           // groups to count, front first
        std::unordered_set<int64_t> taken;  // groups counted or being counted for `inputs`
        bool urgent = false;                // the front is a focus's group
    };
    void loop();
    bool has_work() const;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<int, Panel> panels_;
    int next_panel_ = 0;  // round-robin among panels with no urgent group
    int running_panel_ = -1;
    HistogramKey running_key_;
    std::atomic<bool> cancel_running_{false};
    std::vector<Done> done_;
    bool stop_ = false;
    std::thread thread_;  // started by the first request
};

}  // namespace normviz::app
