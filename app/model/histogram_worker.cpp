// One worker thread for the statistics panel's large histograms: focus groups first, then
// every other group of each panel.
#include "app/model/histogram_worker.h"

#include <algorithm>
#include <utility>

namespace normviz::app {

HistogramWorker::~HistogramWorker() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
        panels_.clear();
        cancel_running_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void HistogramWorker::request(int panel, const HistogramKey& key, int64_t group_count, Compute compute) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        Panel& p = panels_[panel];
        if (!p.inputs.same_inputs(key) || !p.compute) {
            p = Panel{};
            p.inputs = key;
            p.compute = std::move(compute);
            for (int64_t g = 0; g < group_count; ++g)
                if (g != key.group) p.todo.push_back(g);
            if (running_panel_ == panel && !running_key_.same_inputs(key)) cancel_running_ = true;
        } else if (p.taken.count(key.group)) {
            return;  // counted, or being counted
        } else {
            p.todo.erase(std::remove(p.todo.begin(), p.todo.end(), key.group), p.todo.end());
        }
        p.todo.push_front(key.group);
        p.urgent = true;
        if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    }
    changed_.notify_all();
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
    panels_.clear();
    if (running_panel_ >= 0) cancel_running_ = true;
    changed_.wait(lock, [&] { return running_panel_ < 0; });
}

void HistogramWorker::wait_idle() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return running_panel_ < 0 && !has_work(); });
}

bool HistogramWorker::has_work() const {
    for (const auto& [index, p] : panels_)
        if (!p.todo.empty()) return true;
    return false;
}

void HistogramWorker::loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        changed_.wait(lock, [&] { return stop_ || has_work(); });
        if (stop_) return;
        // A focus's group first; else the panels in turn.
        auto chosen = panels_.end();
        for (auto it = panels_.begin(); it != panels_.end(); ++it)
            if (it->second.urgent && !it->second.todo.empty()) {
                chosen = it;
                break;
            }
        if (chosen == panels_.end()) {
            chosen = panels_.lower_bound(next_panel_);
            while (chosen != panels_.end() && chosen->second.todo.empty()) ++chosen;
            if (chosen == panels_.end())
                chosen =
                    std::find_if(panels_.begin(), panels_.end(), [](const auto& e) { return !e.second.todo.empty(); });
        }
        const int panel = chosen->first;
        Panel& p = chosen->second;
        HistogramKey key = p.inputs;
        key.group = p.todo.front();
        p.todo.pop_front();
        const bool urgent = p.urgent;
        p.urgent = false;
        p.taken.insert(key.group);
        next_panel_ = panel + 1;
        const Compute compute = p.compute;
        running_panel_ = panel;
        running_key_ = key;
        cancel_running_ = false;
        lock.unlock();
        core::GroupHistograms histograms = compute(key.group, cancel_running_);
        lock.lock();
        if (!cancel_running_) {
            done_.push_back(Done{panel, key, std::move(histograms)});
            // A focus's group is awaited on screen; the others are taken by the next frame.
            // Still counted as running, so that cancel_and_wait also waits for the wake.
            if (urgent && wake) {
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
