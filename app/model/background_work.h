// Work that takes longer than a frame (generating or loading a large tensor and computing its
// statistics) runs on a worker thread; the frame loop shows its progress and installs the
// result when it is ready, so the window keeps answering.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/model/panel_derivation.h"
#include "app/model/scene.h"
#include "core/channel_summary.h"
#include "core/norm_spec.h"
#include "core/result.h"
#include "core/stats.h"
#include "core/tensor.h"
#include "core/value_range.h"

namespace normviz::app {

// What a job hands back: the tensor, and its panels derived under the scene it was asked for.
struct PreparedTensor {
    core::Tensor tensor;
    std::string source_path;                   // empty for generated data
    Scene scene;                               // the scene the panels were derived under (data_path set for a load)
    std::vector<PanelStats> panels;            // one per shown_specs(scene)
    uint64_t running_version = 0;              // AppState::running_version of the buffers used
    std::optional<core::ValueSummary> values;  // the colour scales' ranges (core::summarize_values)
    std::optional<std::vector<core::ChannelSummary>> channels;  // the Channels window's rows
};

class BackgroundWork {
public:
    using Job = std::function<core::Result<PreparedTensor>(std::atomic<float>& progress)>;

    BackgroundWork() = default;
    ~BackgroundWork();
    BackgroundWork(const BackgroundWork&) = delete;
    BackgroundWork& operator=(const BackgroundWork&) = delete;

    // Starts `job` on a worker thread. Precondition: !busy().
    void start(std::string label, Job job);
    bool busy() const { return running_; }
    float progress() const { return progress_; }
    const std::string& label() const { return label_; }
    // Blocks until a running job ends (its result stays for take_result).
    void wait();
    // The finished job's result, once; nullopt while running or when idle.
    std::optional<core::Result<PreparedTensor>> take_result();
    // Called from the worker when progress moves or the job ends (e.g. glfwPostEmptyEvent).
    std::function<void()> wake;

private:
    std::thread thread_;
    std::atomic<bool> running_{false};
    std::atomic<bool> finished_{false};
    std::atomic<float> progress_{0};
    std::string label_;
    std::optional<core::Result<PreparedTensor>> result_;
};

// derive_panel for each of shown_specs(scene), reporting progress from `start` to `end`.
std::vector<PanelStats> derive_panels(const Scene& scene, const core::Tensor& tensor,
                                      const core::BatchNormBuffers* running, std::atomic<float>& progress, float start,
                                      float end);

}  // namespace normviz::app
