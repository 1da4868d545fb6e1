// The statistics panel's histograms of large groups, computed on one worker thread so that a
// focus change never waits for them (app/focus_histograms.h decides what goes here). Only the
// newest request of each panel is kept; a running job that a newer request of its panel
// replaces is cancelled.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/group_histogram.h"

namespace normviz::app {

// Which histograms: the group, the statistics it is normalized with, and the affine edits.
struct HistogramKey {
    uint64_t stats_version = 0;  // PanelDerived::stats_version; 0: none
    int64_t group = -1;          // Partition::group_of the focus
    uint64_t affine_version = 0; // AppState::affine_version
    bool operator==(const HistogramKey& o) const {
        return stats_version == o.stats_version && group == o.group && affine_version == o.affine_version;
    }
    bool operator!=(const HistogramKey& o) const { return !(*this == o); }
};

class HistogramWorker {
public:
    // Computes the histograms; gives up early (any result) once `cancel` is true.
    using Compute = std::function<core::GroupHistograms(const std::atomic<bool>& cancel)>;
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

    // Replaces the panel's waiting request, and cancels its running job when that is of
    // another key.
    void request(int panel, const HistogramKey& key, Compute compute);
    // Whether `key` of `panel` is waiting or running.
    bool asked(int panel, const HistogramKey& key) const;
    // Finished jobs since the last call, oldest first; has_done: whether there are any.
    std::vector<Done> take_done();
    bool has_done() const;
    // Drops waiting requests and cancels the running one; returns once no job runs. Before
    // the data the jobs read is replaced (set_tensor).
    void cancel_and_wait();
    // Returns once nothing waits or runs (tests, and a frame that must show the result).
    void wait_idle();
    // Called from the worker thread when a job finishes (e.g. Window::wake).
    std::function<void()> wake;

private:
    struct Job {
        HistogramKey key;
        Compute compute;
        uint64_t order = 0;  // when the panel's request first came
    };
    void loop();

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<int, Job> waiting_;  // per panel
    uint64_t next_order_ = 0;
    int running_panel_ = -1;
    HistogramKey running_key_;
    std::atomic<bool> cancel_running_{false};
    std::vector<Done> done_;
    bool stop_ = false;
    std::thread thread_;  // started by the first request
};

}  // namespace normviz::app
