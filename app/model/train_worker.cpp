#include "app/model/train_worker.h"

#include <utility>

namespace normviz::app {

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
