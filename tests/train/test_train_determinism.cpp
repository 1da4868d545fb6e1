// The training lab's promises that do not need PyTorch: the same bits for every thread
// count, a dataset fixed by its seed, a NaN loss that stops a run, cancel, and refused
// settings.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <algorithm>
#include <vector>

#include "core/simd.h"
#include "core/train/dataset.h"
#include "core/train/experiment.h"

namespace normviz::core::train {
namespace {

TrainConfig small_config(std::optional<NormSpec> norm, int threads) {
    TrainConfig config;
    config.norm = norm;
    config.batch = 8;
    config.epochs = 2;
    config.threads = threads;
    config.widths = {4, 8, 8};
    config.data.train_count = 64;
    config.data.val_count = 32;
    return config;
}

TrainResult run(const TrainConfig& config) {
    const Dataset train_set = make_shapes(config.data, false);
    const Dataset val_set = make_shapes(config.data, true);
    Result<TrainResult> result = train(config, train_set, val_set, {}, nullptr);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
    return result.ok() ? result.value() : TrainResult{};
}

TEST(TrainDeterminism, SameBitsForEveryThreadCount) {
    NormSpec group{NormKind::Group};
    group.groups = 2;
    for (const std::optional<NormSpec>& norm :
         {std::optional<NormSpec>{NormSpec{NormKind::Batch}}, std::optional<NormSpec>{group}}) {
        const TrainResult one = run(small_config(norm, 1));
        const TrainResult three = run(small_config(norm, 3));
        EXPECT_EQ(std::memcmp(&one.last.train_loss, &three.last.train_loss, sizeof(double)), 0);
        EXPECT_EQ(std::memcmp(&one.last.val_loss, &three.last.val_loss, sizeof(double)), 0);
        EXPECT_GT(one.last.train_loss, 0.0);
    }
}

// The convolution kernels are register-blocked per instruction set (core/train/conv3x3.cpp);
// 6 and 10 channels leave rows to the blocks' tails, 27 = 3 * 9 column rows too.
TEST(TrainDeterminism, SameBitsOnEveryInstructionSet) {
    using detail::SimdPath;
    const SimdPath limit = detail::simd_path_limit();
    TrainConfig config = small_config(NormSpec{NormKind::Batch}, 2);
    config.widths = {6, 10, 8};
    detail::set_simd_path_limit(SimdPath::Baseline);
    const TrainResult baseline = run(config);
    for (SimdPath path : {SimdPath::Avx2, SimdPath::Avx512}) {
        if (!detail::simd_path_supported(path)) continue;
        SCOPED_TRACE(detail::simd_path_name(path));
        detail::set_simd_path_limit(path);
        const TrainResult wide = run(config);
        EXPECT_EQ(std::memcmp(&baseline.last.train_loss, &wide.last.train_loss, sizeof(double)), 0);
        EXPECT_EQ(std::memcmp(&baseline.last.val_loss, &wide.last.val_loss, sizeof(double)), 0);
    }
    detail::set_simd_path_limit(limit);
    EXPECT_GT(baseline.last.train_loss, 0.0);
}

TEST(TrainDeterminism, SeedChangesTheRun) {
    TrainConfig a = small_config(NormSpec{NormKind::Layer}, 1);
    TrainConfig b = a;
    b.seed = 2;
    EXPECT_NE(run(a).last.train_loss, run(b).last.train_loss);
}

TEST(TrainData, FixedBySeedPrefixStableAndBalanced) {
    ShapesConfig config;
    config.train_count = 40;
    config.val_count = 8;
    const Dataset a = make_shapes(config, false);
    const Dataset again = make_shapes(config, false);
    EXPECT_EQ(a.images, again.images);
    config.train_count = 20;
    const Dataset prefix = make_shapes(config, false);
    EXPECT_TRUE(std::equal(prefix.images.begin(), prefix.images.end(), a.images.begin()));
    const Dataset held_out = make_shapes(config, true);
    EXPECT_FALSE(std::equal(held_out.images.begin(), held_out.images.end(), a.images.begin()));
    int counts[kShapeClasses] = {};
    for (int label : a.labels) ++counts[label];
    for (int c : counts) EXPECT_EQ(c, 10);
    config.seed = 99;
    EXPECT_NE(make_shapes(config, false).images, prefix.images);
}

TEST(TrainRun, NaNLossStopsWithAMessage) {
    TrainConfig config = small_config(NormSpec{NormKind::Layer}, 1);
    config.base_lr = 1e30;
    const TrainResult result = run(config);
    EXPECT_TRUE(result.diverged);
    EXPECT_NE(result.message.find("step"), std::string::npos) << result.message;
}

TEST(TrainRun, CancelStopsBeforeTheFirstStep) {
    const TrainConfig config = small_config(std::nullopt, 1);
    const Dataset train_set = make_shapes(config.data, false);
    const Dataset val_set = make_shapes(config.data, true);
    std::atomic<bool> cancel{true};
    Result<TrainResult> result = train(config, train_set, val_set, {}, &cancel);
    ASSERT_TRUE(result.ok());
    EXPECT_TRUE(result.value().cancelled);
}

TEST(TrainRun, RefusesBadSettings) {
    TrainConfig config = small_config(NormSpec{NormKind::Group, 3}, 1);
    Status status = validate_train_config(config);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("conv1"), std::string::npos) << status.error().message;
    config = small_config(std::nullopt, 1);
    config.batch = 0;
    EXPECT_FALSE(validate_train_config(config).ok());
    config = small_config(std::nullopt, 1);
    config.epochs = 0;
    EXPECT_FALSE(validate_train_config(config).ok());
    config = small_config(std::nullopt, 1);
    config.base_lr = std::nan("");
    EXPECT_FALSE(validate_train_config(config).ok());
}

TEST(TrainRun, BatchNormTrainsOnOneImagePerBatch) {
    TrainConfig config = small_config(NormSpec{NormKind::Batch}, 1);
    config.widths = {4, 4, 4};
    config.batch = 1;
    const Dataset train_set = make_shapes(config.data, false);
    const Dataset val_set = make_shapes(config.data, true);
    // H * W > 1 in every layer (the last blocks see 4x4), so BatchNorm has values to pool.
    Result<TrainResult> result = train(config, train_set, val_set, {}, nullptr);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_TRUE(std::isfinite(result.value().last.val_loss));
}

}  // namespace
}  // namespace normviz::core::train

namespace normviz::core::train {
namespace {

TEST(TrainSweep, EachRunEqualsItsRunAloneInJobOrder) {
    TrainConfig base = small_config(std::nullopt, 1);
    std::vector<SweepJob> jobs = {
        {NormSpec{NormKind::Batch}, 8}, {NormSpec{NormKind::Instance}, 4}, {std::nullopt, 16}};
    std::vector<size_t> finished;
    const std::vector<SweepResult> results = run_sweep(
        base, jobs, 2, [&](size_t i, const SweepResult&) { finished.push_back(i); }, nullptr);
    ASSERT_EQ(results.size(), jobs.size());
    std::sort(finished.begin(), finished.end());
    EXPECT_EQ(finished, (std::vector<size_t>{0, 1, 2}));
    for (size_t i = 0; i < jobs.size(); ++i) {
        TrainConfig alone = base;
        alone.norm = jobs[i].norm;
        alone.batch = jobs[i].batch;
        alone.evaluate_every_epoch = false;
        ASSERT_TRUE(results[i].result.ok());
        EXPECT_EQ(results[i].job.batch, jobs[i].batch);
        const TrainResult expected = run(alone);
        EXPECT_EQ(results[i].result.value().last.val_loss, expected.last.val_loss) << i;
        EXPECT_EQ(results[i].result.value().last.steps, expected.last.steps) << i;
    }
}

}  // namespace
}  // namespace normviz::core::train
