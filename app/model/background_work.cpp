// BackgroundWork: one worker thread at a time; results handed over under an atomic flag.
#include "app/model/background_work.h"

#include <new>

#include "core/assert.h"
#include "core/partition.h"

namespace normviz::app {

BackgroundWork::~BackgroundWork() {
    if (thread_.joinable()) thread_.join();
}

void BackgroundWork::start(std::string label, Job job) {
    NORMVIZ_ASSERT(!running_, "one background job at a time");
    if (thread_.joinable()) thread_.join();
    label_ = std::move(label);
    progress_ = 0;
    finished_ = false;
    running_ = true;
    result_.reset();
    thread_ = std::thread([this, job = std::move(job)] {
        std::optional<core::Result<PreparedTensor>> out;
        try {
            out.emplace(job(progress_));
        } catch (const std::bad_alloc&) {
            out.emplace(core::make_error("not enough memory for this tensor; choose a smaller shape"));
        }
        result_ = std::move(out);
        finished_ = true;
        if (wake) wake();
    });
}

void BackgroundWork::wait() {
    if (thread_.joinable()) thread_.join();
}

std::optional<core::Result<PreparedTensor>> BackgroundWork::take_result() {
    if (!running_ || !finished_) return std::nullopt;
    if (thread_.joinable()) thread_.join();
    running_ = false;
    return std::exchange(result_, std::nullopt);
}

std::vector<PanelStats> derive_panels(const Scene& scene, const core::Tensor& tensor,
                                      const core::BatchNormBuffers* running, std::atomic<float>& progress, float start,
                                      float end) {
    const std::vector<core::NormSpec> specs = shown_specs(scene);
    std::vector<PanelStats> out;
    for (size_t i = 0; i < specs.size(); ++i) {
        out.push_back(derive_panel(scene, tensor, specs[i], running));
        progress = start + (end - start) * static_cast<float>(i + 1) / static_cast<float>(specs.size());
    }
    return out;
}

}  // namespace normviz::app
