// One worker thread for the statistics panel's large histograms, newest request per panel.
#include "app/histogram_worker.h"

#include <utility>

namespace normviz::app {

HistogramWorker::~HistogramWorker() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
        waiting_.clear();
        cancel_running_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void HistogramWorker::request(int panel, const HistogramKey& key, Compute compute) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        // A replaced request keeps its place in the queue: panels are served oldest first.
        auto it = waiting_.find(panel);
        const uint64_t order = it != waiting_.end() ? it->second.order : next_order_++;
        waiting_[panel] = Job{key, std::move(compute), order};
        if (running_panel_ == panel && running_key_ != key) cancel_running_ = true;
        if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    }
    changed_.notify_all();
}

bool HistogramWorker::asked(int panel, const HistogramKey& key) const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (running_panel_ == panel && running_key_ == key && !cancel_running_) return true;
    auto it = waiting_.find(panel);
    return it != waiting_.end() && it->second.key == key;
}

std::vector<HistogramWorker::Done> HistogramWorker::take_done() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(done_, {});
}

bool HistogramWorker::has_done() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return !done_.empty();
}

void HistogramWorker::cancel_and_wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    waiting_.clear();
    if (running_panel_ >= 0) cancel_running_ = true;
    changed_.wait(lock, [&] { return running_panel_ < 0; });
}

void HistogramWorker::wait_idle() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return running_panel_ < 0 && waiting_.empty(); });
}

void HistogramWorker::loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        changed_.wait(lock, [&] { return stop_ || !waiting_.empty(); });
        if (stop_) return;
        auto first = waiting_.begin();
        for (auto it = waiting_.begin(); it != waiting_.end(); ++it)
            if (it->second.order < first->second.order) first = it;
        const int panel = first->first;
        Job job = std::move(first->second);
        waiting_.erase(first);
        running_panel_ = panel;
        running_key_ = job.key;
        cancel_running_ = false;
        lock.unlock();
        core::GroupHistograms histograms = job.compute(cancel_running_);
        lock.lock();
        if (!cancel_running_) {
            done_.push_back(Done{panel, job.key, std::move(histograms)});
            // Still counted as running, so that cancel_and_wait also waits for the wake.
            if (wake) {
                lock.unlock();
                wake();
                lock.lock();
            }
        }
        running_panel_ = -1;
        changed_.notify_all();  // cancel_and_wait and wait_idle
    }
}

}  // namespace normviz::app
