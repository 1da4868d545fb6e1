// Training runs and the sweep; see experiment.h.
#include "core/train/experiment.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <numeric>
#include <thread>

#include "core/parallel.h"
#include "core/train/random.h"

namespace normviz::core::train {

namespace {

NetworkConfig network_config(const TrainConfig& config) {
    NetworkConfig net;
    net.widths = config.widths;
    net.norm = config.norm;
    net.classes = kShapeClasses;
    return net;
}

}  // namespace

std::string train_norm_name(const std::optional<NormSpec>& norm) {
    if (!norm) return "none";
    return norm_name(norm->kind);
}

Status validate_train_config(const TrainConfig& config) {
    if (config.batch < 1) return make_error("--batch must be at least 1, got " + std::to_string(config.batch));
    if (config.batch > config.data.train_count)
        return make_error("--batch " + std::to_string(config.batch) + " is larger than the " +
                          std::to_string(config.data.train_count) + " training images");
    if (config.epochs < 1) return make_error("--epochs must be at least 1, got " + std::to_string(config.epochs));
    if (!std::isfinite(config.base_lr) || !(config.base_lr > 0))
        return make_error("--lr must be a positive finite number");
    return validate_network(network_config(config));
}

Result<EpochReport> evaluate(Network& net, const Dataset& data, int64_t eval_batch, int threads) {
    EpochReport report;
    double loss_sum = 0;
    int64_t errors = 0;
    Act images, logits, dlogits;
    std::vector<int> labels;
    std::vector<int64_t> indices;
    for (int64_t start = 0; start < data.count; start += eval_batch) {
        const int64_t n = std::min(eval_batch, data.count - start);
        indices.resize(static_cast<size_t>(n));
        std::iota(indices.begin(), indices.end(), start);
        gather_batch(data, indices, images, labels);
        if (Status ok = net.forward(images, logits, /*training=*/false, threads); !ok) return ok.error();
        loss_sum += cross_entropy(logits, labels, dlogits) * static_cast<double>(n);
        errors += count_errors(logits, labels);
    }
    report.val_loss = loss_sum / static_cast<double>(data.count);
    report.val_error = static_cast<double>(errors) / static_cast<double>(data.count);
    return report;
}

Result<TrainResult> train(const TrainConfig& config, const Dataset& train_set, const Dataset& val_set,
                          const std::function<void(const EpochReport&)>& progress, const std::atomic<bool>* cancel) {
    if (Status valid = validate_train_config(config); !valid) return valid.error();
    const auto start = std::chrono::steady_clock::now();
    TrainResult result;
    result.network = std::make_shared<Network>(network_config(config), config.seed);
    Network& net = *result.network;
    const std::vector<Param*> params = net.params();
    Random shuffler(mix_seed(config.seed, 0x5EED));
    // Whole batches only: BatchNorm cannot use a last batch of one image.
    const int64_t steps_per_epoch = train_set.count / config.batch;
    const int64_t total_steps = steps_per_epoch * config.epochs;
    const double lr = config.base_lr * static_cast<double>(config.batch) / 32.0;
    std::vector<int64_t> order(static_cast<size_t>(train_set.count));
    std::vector<int64_t> indices(static_cast<size_t>(config.batch));
    Act images, logits, dlogits;
    std::vector<int> labels;
    int64_t step = 0;
    for (int epoch = 1; epoch <= config.epochs; ++epoch) {
        std::iota(order.begin(), order.end(), 0);
        for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[shuffler.below(i)]);
        double loss_sum = 0;
        for (int64_t s = 0; s < steps_per_epoch; ++s) {
            if (cancel && cancel->load(std::memory_order_relaxed)) {
                result.cancelled = true;
                result.message = "cancelled at step " + std::to_string(step);
                return result;
            }
            std::copy_n(order.begin() + s * config.batch, config.batch, indices.begin());
            gather_batch(train_set, indices, images, labels);
            if (Status ok = net.forward(images, logits, /*training=*/true, config.threads); !ok) return ok.error();
            const double loss = cross_entropy(logits, labels, dlogits);
            if (!std::isfinite(loss)) {
                result.diverged = true;
                result.message = "the loss became " + std::string(std::isnan(loss) ? "NaN" : "infinite") + " at step " +
                                 std::to_string(step + 1) + " (epoch " + std::to_string(epoch) +
                                 "); try a smaller --lr";
                result.last.epoch = epoch;
                result.last.steps = step;
                result.last.train_loss = loss;
                result.last.val_loss = loss;
                result.last.val_error = 1.0;
                return result;
            }
            loss_sum += loss;
            net.backward(dlogits, config.threads);
            sgd_step(params, cosine_lr(lr, step, total_steps), config.sgd);
            ++step;
        }
        EpochReport report;
        if (config.evaluate_every_epoch || epoch == config.epochs) {
            Result<EpochReport> eval = evaluate(net, val_set, 100, config.threads);
            if (!eval) return eval.error();
            report = eval.value();
        } else {
            report.val_loss = report.val_error = std::nan("");
        }
        report.epoch = epoch;
        report.steps = step;
        report.train_loss = loss_sum / static_cast<double>(steps_per_epoch);
        report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        result.last = report;
        if (progress) progress(report);
    }
    return result;
}

std::vector<SweepJob> default_sweep_jobs(int64_t groups) {
    NormSpec group;
    group.kind = NormKind::Group;
    group.groups = groups;
    const std::optional<NormSpec> norms[] = {
        std::nullopt, NormSpec{NormKind::Batch}, NormSpec{NormKind::Layer}, NormSpec{NormKind::Instance},
        group,        NormSpec{NormKind::Rms}};
    std::vector<SweepJob> jobs;
    for (int64_t batch : {2, 4, 8, 16, 32}) {
        for (const auto& norm : norms) jobs.push_back({norm, batch});
    }
    return jobs;
}

std::vector<SweepResult> run_sweep(const TrainConfig& base, const std::vector<SweepJob>& jobs, int workers,
                                   const std::function<void(size_t, const SweepResult&)>& done,
                                   const std::atomic<bool>* cancel) {
    const Dataset train_set = make_shapes(base.data, false);
    const Dataset val_set = make_shapes(base.data, true);
    std::vector<SweepResult> results(jobs.size());
    std::atomic<size_t> next{0};
    std::mutex report_mutex;
    auto worker = [&] {
        for (size_t i = next.fetch_add(1); i < jobs.size(); i = next.fetch_add(1)) {
            TrainConfig config = base;
            config.norm = jobs[i].norm;
            config.batch = jobs[i].batch;
            config.threads = 1;
            config.evaluate_every_epoch = false;
            results[i].job = jobs[i];
            results[i].result = train(config, train_set, val_set, {}, cancel);
            std::lock_guard<std::mutex> lock(report_mutex);
            if (done) done(i, results[i]);
        }
    };
    std::vector<std::thread> pool;
    // A worker per job at most: more would only wait (and 1024 stacks did not fit 4 GiB).
    const int64_t started = std::min<int64_t>({std::max(workers, 1), static_cast<int64_t>(jobs.size()), max_threads()});
    for (int64_t t = 1; t < started; ++t) pool.emplace_back(worker);
    worker();
    for (std::thread& th : pool) th.join();
    return results;
}

}  // namespace normviz::core::train
