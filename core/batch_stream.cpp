#include "core/batch_stream.h"

#include <algorithm>

namespace normviz::core {

Tensor take_samples(const Tensor& tensor, const std::vector<int64_t>& samples) {
    Shape s = tensor.shape;
    s.N = static_cast<int64_t>(samples.size());
    Tensor out = make_tensor(s);
    const int64_t per = s.C * s.H * s.W;
    for (size_t i = 0; i < samples.size(); ++i)
        std::copy_n(tensor.data.begin() + samples[i] * per, per, out.data.begin() + int64_t(i) * per);
    return out;
}

std::vector<Tensor> make_batch_stream(const Shape& shape, int64_t batch_size, int count, Generator g, uint64_t seed,
                                      double shift) {
    Shape all = shape;
    all.N = batch_size * count;
    const Tensor joined = generate(all, g, seed);
    std::vector<Tensor> out;
    for (int i = 0; i < count; ++i) {
        std::vector<int64_t> samples;
        for (int64_t n = 0; n < batch_size; ++n) samples.push_back(int64_t(i) * batch_size + n);
        Tensor b = take_samples(joined, samples);
        if (shift != 0)
            for (float& v : b.data) v = static_cast<float>(v + shift);
        out.push_back(std::move(b));
    }
    return out;
}

Result<RunningStats> track_running_stats(const std::vector<Tensor>& batches, std::optional<double> momentum) {
    RunningStats running(batches.front().shape.C, momentum);
    for (const Tensor& b : batches)
        if (auto ok = running.update(b); !ok) return ok.error();
    return running;
}

Result<EvalRunningStats> eval_running_stats(const Shape& shape, Generator g, uint64_t seed, int batches) {
    const int64_t per_batch = std::max<int64_t>(1, shape.numel());
    batches = static_cast<int>(std::clamp<int64_t>(kMaxStreamElements / per_batch, 1, std::max(batches, 1)));
    auto running = track_running_stats(make_batch_stream(shape, shape.N, batches, g, seed), kDefaultMomentum);
    if (!running) return running.error();
    return EvalRunningStats{std::move(running.value()), batches};
}

}  // namespace normviz::core
