#include "app/model/train_worker.h"

#include <sys/resource.h>
#include <unistd.h>

#include <utility>

namespace normviz::app {

namespace {
// Training runs for minutes beside the window: at the lowest priority it yields the CPU to
// the window's thread (and Mesa's software renderer's), so frames stay smooth (measured with
// bench-render --train-sweep: nice 10 still cost a third of a frame, 19 next to nothing); an
// idle window leaves it all the CPU. On Linux a thread's nice value is its own. Failure only
// means equal priority.
void lower_this_threads_priority() {
#ifdef __linux__
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
#endif
}
}  // namespace

TrainWorker::~TrainWorker() {
    cancel_ = true;
    join();
}

void TrainWorker::join() {
    if (thread_.joinable()) thread_.join();
}

core::Status TrainWorker::start(const core::train::TrainConfig& config, std::string label) {
    if (running_) return core::make_error("a training run is going; stop it first");
    if (core::Status ok = core::train::validate_train_config(config); !ok) return ok;
    join();
    {
        std::lock_guard lock(mutex_);
        TrainRun run;
        run.label = std::move(label);
        run.config = config;
        runs_.push_back(std::move(run));
    }
    cancel_ = false;
    running_ = true;
    thread_ = std::thread([this, config] {
        lower_this_threads_priority();
        std::shared_ptr<const core::train::Dataset> train_set, val_set;
        {
            std::lock_guard lock(mutex_);
            train_set = train_set_, val_set = val_set_;
        }
        if (!train_set || train_set->count != config.data.train_count) {
            train_set = std::make_shared<core::train::Dataset>(core::train::make_shapes(config.data, false));
            val_set = std::make_shared<core::train::Dataset>(core::train::make_shapes(config.data, true));
            std::lock_guard lock(mutex_);
            train_set_ = train_set, val_set_ = val_set;
        }
        auto progress = [this](const core::train::EpochReport& report) {
            {
                std::lock_guard lock(mutex_);
                runs_.back().epochs.push_back(report);
            }
            news_ = true;
            if (wake) wake();
        };
        auto result = core::train::train(config, *train_set, *val_set, progress, &cancel_);
        {
            std::lock_guard lock(mutex_);
            TrainRun& run = runs_.back();
            run.finished = true;
            if (!result) {
                run.message = result.error().message;
            } else {
                run.network = result.value().network;
                if (result.value().cancelled) run.message = "stopped (" + result.value().message + ")";
                else if (result.value().diverged) run.message = result.value().message;
            }
        }
        running_ = false;
        news_ = true;
        if (wake) wake();
    });
    return core::Ok{};
}

core::Status TrainWorker::start_sweep(const core::train::TrainConfig& base, std::vector<core::train::SweepJob> jobs) {
    if (running_) return core::make_error("a training run is going; stop it first");
    if (jobs.empty()) return core::make_error("the sweep has no runs");
    for (const core::train::SweepJob& job : jobs) {
        core::train::TrainConfig check = base;
        check.norm = job.norm;
        check.batch = job.batch;
        if (core::Status ok = core::train::validate_train_config(check); !ok)
            return core::make_error(core::train::train_norm_name(job.norm) + ", batch " + std::to_string(job.batch) +
                                    ": " + ok.error().message);
    }
    join();
    {
        std::lock_guard lock(mutex_);
        sweep_ = SweepTable{};
        sweep_source_ = "sweep in the window";
        sweep_progress_ = SweepProgress{0, jobs.size(), true, ""};
    }
    cancel_ = false;
    running_ = true;
    thread_ = std::thread([this, base, jobs = std::move(jobs)] {
        lower_this_threads_priority();
        run_sweep_thread(base, jobs);
    });
    return core::Ok{};
}

void TrainWorker::run_sweep_thread(core::train::TrainConfig base, std::vector<core::train::SweepJob> jobs) {
    auto done = [this](size_t, const core::train::SweepResult& r) {
        {
            std::lock_guard lock(mutex_);
            SweepProgress& p = sweep_progress_;
            if (!r.result) {
                if (p.message.empty()) p.message = r.result.error().message;
            } else if (r.result.value().cancelled) {
                p.message = "stopped";
            } else if (r.result.value().diverged) {
                if (p.message.empty()) p.message = r.result.value().message;
            } else {
                const core::train::EpochReport& e = r.result.value().last;
                sweep_.rows.push_back({core::train::train_norm_name(r.job.norm), r.job.batch, e.epoch, e.steps,
                                       e.train_loss, e.val_loss, e.val_error, e.seconds});
                ++p.done;
            }
        }
        news_ = true;
        if (wake) wake();
    };
    // One run at a time: the window keeps the other core.
    core::train::run_sweep(base, jobs, 1, done, &cancel_);
    {
        std::lock_guard lock(mutex_);
        sweep_progress_.running = false;
    }
    running_ = false;
    news_ = true;
    if (wake) wake();
}

SweepProgress TrainWorker::sweep_progress() const {
    std::lock_guard lock(mutex_);
    return sweep_progress_;
}

SweepTable TrainWorker::sweep() const {
    std::lock_guard lock(mutex_);
    return sweep_;
}

std::string TrainWorker::sweep_source() const {
    std::lock_guard lock(mutex_);
    return sweep_source_;
}

core::Status TrainWorker::set_sweep(SweepTable table, std::string source) {
    std::lock_guard lock(mutex_);
    if (sweep_progress_.running) return core::make_error("a sweep is going; stop it first");
    sweep_ = std::move(table);
    sweep_source_ = std::move(source);
    sweep_progress_ = SweepProgress{};
    return core::Ok{};
}

void TrainWorker::stop() { cancel_ = true; }

void TrainWorker::wait() { join(); }

std::vector<TrainRun> TrainWorker::runs() const {
    std::lock_guard lock(mutex_);
    return runs_;
}

void TrainWorker::clear() {
    if (running_) return;
    std::lock_guard lock(mutex_);
    runs_.clear();
}

std::shared_ptr<const core::train::Dataset> TrainWorker::held_out() const {
    std::lock_guard lock(mutex_);
    return val_set_;
}

}  // namespace normviz::app
