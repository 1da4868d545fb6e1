// The window's training runs (the Train panel, F8): one run at a time on a worker thread,
// its epochs reported as they finish, stoppable; earlier runs' curves kept for overlaying.
// The engine is core/train (a 6-block CNN on generated shapes). The worker also runs the
// batch-size sweep (norms x batch sizes, core/train/experiment.h) and keeps the sweep table the
// panel's figure shows: the one it ran or one read from a CSV.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/model/sweep_csv.h"
#include "core/train/experiment.h"

namespace normviz::app {

// Where a sweep stands: runs finished of all, whether it is going, how it ended.
struct SweepProgress {
    size_t done = 0, total = 0;
    bool running = false;
    std::string message;  // "stopped", or the first failed run's reason; "" otherwise
};

struct TrainRun {
    std::string label;  // "group G=4, batch 8"
    core::train::TrainConfig config;
    std::vector<core::train::EpochReport> epochs;
    bool finished = false;
    std::string message;                            // why it stopped early (stopped, diverged, error); "" otherwise
    std::shared_ptr<core::train::Network> network;  // set when finished
};

class TrainWorker {
public:
    TrainWorker() = default;
    ~TrainWorker();
    TrainWorker(const TrainWorker&) = delete;
    TrainWorker& operator=(const TrainWorker&) = delete;

    // Starts a run (the built-in data is made on the worker, again only when the number of
    // training images changes). Error: the settings
    // (validate_train_config), or a run is going. The run is added to runs() at once.
    core::Status start(const core::train::TrainConfig& config, std::string label);
    // Starts the sweep: every job with the other settings of `base` (its norm and batch
    // ignored), one run after another on the worker thread, each run's final row added to
    // sweep() as it ends. Error: a job's settings (validate_train_config), or a run is going.
    core::Status start_sweep(const core::train::TrainConfig& base, std::vector<core::train::SweepJob> jobs);
    SweepProgress sweep_progress() const;
    // The sweep shown: the rows of the last sweep run here (growing while it runs) or those
    // set by set_sweep; `source` says which ("sweep in the window" or the CSV's path).
    SweepTable sweep() const;
    std::string sweep_source() const;
    // Shows a table read elsewhere (a CSV); refused while a sweep runs.
    core::Status set_sweep(SweepTable table, std::string source);
    // Asks the run (or the sweep) to stop after its current step; its curve stays.
    void stop();
    bool busy() const { return running_; }
    // Waits for the run to end (tests, closing the window).
    void wait();
    // A copy of every run so far, the last one possibly growing.
    std::vector<TrainRun> runs() const;
    void clear();
    // The held-out images the engine evaluates on (made with the first run; empty before).
    std::shared_ptr<const core::train::Dataset> held_out() const;
    // Whether an epoch or the run's end arrived since the last call (the idle window draws a
    // frame for it).
    bool take_news() { return news_.exchange(false); }
    // Called from the worker after each epoch and when the run ends (e.g. to wake the frame).
    std::function<void()> wake;

private:
    void join();

    void run_sweep_thread(core::train::TrainConfig base, std::vector<core::train::SweepJob> jobs);

    mutable std::mutex mutex_;
    std::vector<TrainRun> runs_;
    SweepTable sweep_;
    std::string sweep_source_;
    SweepProgress sweep_progress_;
    std::shared_ptr<const core::train::Dataset> train_set_, val_set_;
    std::thread thread_;
    std::atomic<bool> running_{false};
    std::atomic<bool> cancel_{false};
    std::atomic<bool> news_{false};
};

}  // namespace normviz::app
