// `normviz bench --train`; see bench_train.h. bench/train_pytorch.py times the same network
// in PyTorch.
#include "bench/bench_train.h"

#include <chrono>
#include <cstdio>
#include <numeric>

#include "core/train/experiment.h"

namespace normviz::bench {

int bench_train(int threads, int steps) {
    using namespace core::train;
    constexpr int64_t kBatch = 32;
    if (steps <= 0) steps = 20;
    ShapesConfig data;
    data.train_count = kBatch * 4;
    data.val_count = 1;
    const Dataset images = make_shapes(data, false);
    std::printf("normviz bench --train: batch %lld, %d threads, %d timed steps per norm\n",
                static_cast<long long>(kBatch), threads, steps);
    for (const SweepJob& job : default_sweep_jobs(4)) {
        if (job.batch != kBatch) continue;
        NetworkConfig config;
        config.norm = job.norm;
        Network net(config, 1);
        const std::vector<Param*> params = net.params();
        Act x, logits, dlogits;
        std::vector<int> labels;
        std::vector<int64_t> indices(kBatch);
        auto step = [&](int i) {
            std::iota(indices.begin(), indices.end(), (i % 4) * kBatch);
            gather_batch(images, indices, x, labels);
            if (!net.forward(x, logits, true, threads).ok()) return false;
            cross_entropy(logits, labels, dlogits);
            net.backward(dlogits, threads);
            sgd_step(params, 0.01, SgdOptions{});
            return true;
        };
        if (!step(0) || !step(1)) {
            std::fprintf(stderr, "normviz bench: %s cannot train on this batch\n", train_norm_name(job.norm).c_str());
            return 1;
        }
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < steps; ++i) step(i);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("%s %.0f images/s %.2f ms/step\n", train_norm_name(job.norm).c_str(),
                    static_cast<double>(kBatch * steps) / seconds, 1e3 * seconds / steps);
    }
    return std::fflush(stdout) == 0 && !std::ferror(stdout) ? 0 : 1;
}

}  // namespace normviz::bench
