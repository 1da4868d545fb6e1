// RunningStats, eval-mode BatchNorm and the train-vs-eval gap: against PyTorch (fixtures in
// tests/fixtures/running_stats/, written by tools/make_running_stats_fixtures.py; see its
// docstring for the files) and against cases whose answers are known by hand.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/generators.h"
#include "core/normalize.h"
#include "core/npy.h"
#include "core/running_stats.h"

namespace normviz::core {
namespace {

const std::string kDir = std::string(NORMVIZ_FIXTURE_DIR) + "/running_stats";
const std::string kRegenerate = "; run /usr/bin/python3 tools/make_running_stats_fixtures.py";

struct F64Array {
    std::vector<int64_t> dims;
    std::vector<double> values;
};

// Minimal reader for the fixtures' float64 files ('<f8', C order, .npy format 1.0), so the
// expected numbers do not pass through core's float32 reader.
::testing::AssertionResult read_f64(const std::string& name, F64Array& out) {
    const std::string path = kDir + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) return ::testing::AssertionFailure() << "cannot open " << path << kRegenerate;
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY\x01", 7) != 0)
        return ::testing::AssertionFailure() << path << ": not a version 1 .npy file";
    const size_t header_len = static_cast<uint8_t>(bytes[8]) | (size_t{static_cast<uint8_t>(bytes[9])} << 8);
    if (10 + header_len > bytes.size()) return ::testing::AssertionFailure() << path << ": truncated";
    const std::string header(bytes.data() + 10, header_len);
    const size_t open = header.find("'shape': (");
    const size_t close = header.find(')', open);
    if (header.find("'descr': '<f8'") == std::string::npos ||
        header.find("'fortran_order': False") == std::string::npos || open == std::string::npos ||
        close == std::string::npos)
        return ::testing::AssertionFailure() << path << ": expected '<f8' in C order: " << header;
    out.dims.clear();
    int64_t count = 1;
    std::istringstream shape(header.substr(open + 10, close - open - 10));
    for (std::string item; std::getline(shape, item, ',');) {
        if (item.find_first_not_of(' ') == std::string::npos) continue;
        out.dims.push_back(std::stoll(item));
        count *= out.dims.back();
    }
    const size_t data_at = 10 + header_len;
    if (bytes.size() - data_at != static_cast<size_t>(count) * 8)
        return ::testing::AssertionFailure() << path << ": data size does not match the shape";
    static_assert(std::endian::native == std::endian::little, "the reader assumes '<f8'");
    out.values.resize(static_cast<size_t>(count));
    std::memcpy(out.values.data(), bytes.data() + data_at, static_cast<size_t>(count) * 8);
    return ::testing::AssertionSuccess();
}

std::map<std::string, std::string> read_manifest() {
    std::map<std::string, std::string> m;
    std::ifstream in(kDir + "/manifest.tsv");
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        const size_t tab = line.find('\t');
        if (tab != std::string::npos) m[line.substr(0, tab)] = line.substr(tab + 1);
    }
    return m;
}

std::vector<float> parse_floats(const std::string& text) {
    std::vector<float> out;
    std::istringstream in(text);
    for (std::string item; std::getline(in, item, ',');) out.push_back(std::stof(item));
    return out;
}

// N(0, 1) * scale[c] + offset[c] with the same scales and offsets for every seed (C <= 4), so
// batches of a stream come from one distribution.
Tensor channel_batch(const Shape& shape, uint64_t seed) {
    static constexpr double kScale[4] = {1.0, 2.0, 0.5, 1.5}, kOffset[4] = {-2.0, 0.5, 3.0, 1.0};
    Tensor t = generate(shape, Generator::Normal, seed);
    const int64_t plane = shape.H * shape.W;
    for (size_t i = 0; i < t.data.size(); ++i) {
        const size_t c = static_cast<size_t>((static_cast<int64_t>(i) / plane) % shape.C);
        t.data[i] = static_cast<float>(t.data[i] * kScale[c] + kOffset[c]);
    }
    return t;
}

class RunningStatsTorch : public ::testing::Test {
protected:
    void SetUp() override {
        manifest = read_manifest();
        ASSERT_FALSE(manifest.empty()) << "cannot read " << kDir << "/manifest.tsv" << kRegenerate;
        batches = std::stoi(manifest.at("batches"));
        momentum = std::stod(manifest.at("momentum"));
        eps = std::stod(manifest.at("eps"));
        affine.gamma = parse_floats(manifest.at("gamma"));
        affine.beta = parse_floats(manifest.at("beta"));
        for (int k = 0; k < batches; ++k) {
            Result<Tensor> t = read_npy(kDir + "/batch" + std::to_string(k) + ".in.npy");
            ASSERT_TRUE(t.ok()) << t.error().message << kRegenerate;
            stream.push_back(t.value());
        }
        Result<Tensor> t = read_npy(kDir + "/test.in.npy");
        ASSERT_TRUE(t.ok()) << t.error().message << kRegenerate;
        test = t.value();
    }

    // Runs the stream through `rs`, checking mean and var after each batch against torch's
    // "<prefix>.running_mean.npy" / ".running_var.npy" to 1e-12 relative.
    void check_stream(RunningStats& rs, const std::string& prefix) {
        F64Array mean, var;
        ASSERT_TRUE(read_f64(prefix + ".running_mean.npy", mean));
        ASSERT_TRUE(read_f64(prefix + ".running_var.npy", var));
        const size_t C = static_cast<size_t>(rs.channels());
        ASSERT_EQ(mean.values.size(), static_cast<size_t>(batches) * C);
        for (int k = 0; k < batches; ++k) {
            ASSERT_TRUE(rs.update(stream[static_cast<size_t>(k)]).ok());
            for (size_t c = 0; c < C; ++c) {
                const double m = mean.values[k * C + c], v = var.values[k * C + c];
                EXPECT_NEAR(rs.mean()[c], m, 1e-12 * std::max(1.0, std::fabs(m)))
                    << prefix << " mean, batch " << k << ", channel " << c;
                EXPECT_NEAR(rs.var()[c], v, 1e-12 * std::fabs(v)) << prefix << " var, batch " << k << ", channel " << c;
            }
        }
        EXPECT_EQ(rs.batches_tracked(), std::stoi(manifest.at("batches_tracked")));
    }

    void check_eval(const RunningStats& rs, const std::string& name) {
        F64Array truth;
        ASSERT_TRUE(read_f64(name, truth));
        Result<Tensor> y = normalize_eval(test, rs, eps, affine);
        ASSERT_TRUE(y.ok()) << y.error().message;
        ASSERT_EQ(y.value().data.size(), truth.values.size());
        // The float route's bound (core/normalize.cpp): 2 float32 ulps of the truth.
        for (size_t i = 0; i < truth.values.size(); ++i) {
            const float t = static_cast<float>(std::fabs(truth.values[i]));
            const double ulp = static_cast<double>(std::nextafter(t, INFINITY)) - static_cast<double>(t);
            EXPECT_NEAR(y.value().data[i], truth.values[i], 2 * ulp) << name << " element " << i;
        }
    }

    std::map<std::string, std::string> manifest;
    int batches = 0;
    double momentum = 0, eps = 0;
    Affine affine;
    std::vector<Tensor> stream;
    Tensor test;
};

TEST_F(RunningStatsTorch, MomentumStreamMatchesTorch) {
    RunningStats rs(3, momentum);
    check_stream(rs, "momentum");
}

TEST_F(RunningStatsTorch, CumulativeStreamMatchesTorch) {
    RunningStats rs(3, std::nullopt);
    check_stream(rs, "cumulative");
}

TEST_F(RunningStatsTorch, EvalOutputMatchesTorch) {
    RunningStats rs(3, momentum);
    for (const Tensor& b : stream) ASSERT_TRUE(rs.update(b).ok());
    check_eval(rs, "momentum.eval.npy");
}

TEST_F(RunningStatsTorch, CumulativeEvalOutputMatchesTorch) {
    RunningStats rs(3, std::nullopt);
    for (const Tensor& b : stream) ASSERT_TRUE(rs.update(b).ok());
    check_eval(rs, "cumulative.eval.npy");
}

TEST_F(RunningStatsTorch, TrainEvalGapMatchesTorch) {
    RunningStats rs(3, momentum);
    for (const Tensor& b : stream) ASSERT_TRUE(rs.update(b).ok());
    const RunningStats before = rs;
    Result<TrainEvalGap> gap = train_eval_gap(test, rs, eps, affine);
    ASSERT_TRUE(gap.ok()) << gap.error().message;
    const double torch_gap = std::stod(manifest.at("train_eval_max_abs_diff"));
    EXPECT_NEAR(gap.value().max_abs_diff, torch_gap, 1e-12 * torch_gap);
    EXPECT_GT(gap.value().max_abs_diff, 0.5);  // the lesson: batch-1 train mode is not eval mode
    EXPECT_EQ(rs.mean(), before.mean());       // measuring the gap updates nothing

    // Train-mode output of the test batch itself, against torch's.
    F64Array train;
    ASSERT_TRUE(read_f64("momentum.train.npy", train));
    NormSpec spec;
    spec.eps = eps;
    Result<Tensor> y = normalize(test, spec, affine);
    ASSERT_TRUE(y.ok());
    for (size_t i = 0; i < train.values.size(); ++i)
        EXPECT_NEAR(y.value().data[i], train.values[i], 1e-6) << "element " << i;
}

TEST(RunningStats, StartsAtZeroMeanUnitVariance) {
    RunningStats rs(4);
    EXPECT_EQ(rs.mean(), std::vector<double>(4, 0.0));
    EXPECT_EQ(rs.var(), std::vector<double>(4, 1.0));
    EXPECT_EQ(rs.batches_tracked(), 0);
    EXPECT_EQ(rs.momentum(), kDefaultMomentum);
}

TEST(RunningStats, OneUpdateByHand) {
    // One channel, values 1, 2, 3, 4: mean 2.5, biased var 1.25, unbiased 5/3.
    Tensor t = make_tensor({1, 1, 2, 2});
    t.data = {1, 2, 3, 4};
    RunningStats rs(1);
    ASSERT_TRUE(rs.update(t).ok());
    EXPECT_DOUBLE_EQ(rs.mean()[0], 0.1 * 2.5);
    EXPECT_DOUBLE_EQ(rs.var()[0], 0.9 * 1.0 + 0.1 * (5.0 / 3.0));
    RunningStats cumulative(1, std::nullopt);
    ASSERT_TRUE(cumulative.update(t).ok());  // first batch replaces the initial values
    EXPECT_DOUBLE_EQ(cumulative.mean()[0], 2.5);
    EXPECT_DOUBLE_EQ(cumulative.var()[0], 5.0 / 3.0);
}

TEST(RunningStats, CumulativeIsThePlainAverageOfBatchStatistics) {
    RunningStats rs(2, std::nullopt);
    double sum_mean[2] = {0, 0};
    for (int k = 0; k < 7; ++k) {
        Tensor t = channel_batch({3, 2, 2, 3}, 100 + k);
        for (float& v : t.data) v += static_cast<float>(k);
        ASSERT_TRUE(rs.update(t).ok());
        for (int c = 0; c < 2; ++c) {
            double s = 0;
            for (int n = 0; n < 3; ++n)
                for (int i = 0; i < 6; ++i) s += t.data[(n * 2 + c) * 6 + i];
            sum_mean[c] += s / 18;
        }
    }
    for (int c = 0; c < 2; ++c) EXPECT_NEAR(rs.mean()[c], sum_mean[c] / 7, 1e-12);
}

TEST(RunningStats, OneValuePerChannelIsAnErrorAndUpdatesNothing) {
    RunningStats rs(3);
    Tensor t = make_tensor({1, 3, 1, 1});
    t.data = {1, 2, 3};
    Status s = rs.update(t);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("Expected more than 1 value per channel when training"), std::string::npos);
    EXPECT_EQ(s.error().message.find('\n'), std::string::npos);
    EXPECT_EQ(rs.batches_tracked(), 0);
    EXPECT_EQ(rs.mean(), std::vector<double>(3, 0.0));
    EXPECT_FALSE(train_eval_gap(t, rs).ok());
    // Eval mode has no such limit: the batch contributes no statistics.
    Result<Tensor> y = normalize_eval(t, rs);
    ASSERT_TRUE(y.ok());
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(y.value().data[c], (c + 1) / std::sqrt(1.0 + 1e-5), 1e-6);
}

TEST(RunningStats, ChannelMismatchIsAnError) {
    RunningStats rs(3);
    Tensor t = generate({2, 4, 2, 2}, Generator::Normal, 1);
    Status s = rs.update(t);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("C = 4"), std::string::npos);
    EXPECT_FALSE(normalize_eval(t, rs).ok());
    EXPECT_FALSE(train_eval_gap(t, rs).ok());
}

TEST(RunningStats, MomentumIsValidated) {
    EXPECT_TRUE(validate_momentum(0.1).ok());
    EXPECT_TRUE(validate_momentum(0.0).ok());
    EXPECT_TRUE(validate_momentum(1.0).ok());
    EXPECT_TRUE(validate_momentum(std::nullopt).ok());
    EXPECT_FALSE(validate_momentum(-0.1).ok());
    EXPECT_FALSE(validate_momentum(1.5).ok());
    EXPECT_FALSE(validate_momentum(std::nan("")).ok());
}

TEST(RunningStats, EvalGroupsAreEmpty) {
    RunningStats rs(2);
    for (const GroupStats& g : rs.as_group_stats()) {
        EXPECT_EQ(g.count, 0);
        EXPECT_EQ(g.mean, 0.0);
        EXPECT_EQ(g.var, 1.0);
    }
}

TEST(RunningStats, EvalOutputDoesNotDependOnTheRestOfTheBatch) {
    // Eval mode: each sample is normalized on its own, so serving it alone or in a batch of 8
    // gives the same numbers. Train mode does not.
    RunningStats rs(3);
    for (int k = 0; k < 20; ++k) ASSERT_TRUE(rs.update(channel_batch({16, 3, 4, 4}, 7 + k)).ok());
    Tensor batch = channel_batch({8, 3, 4, 4}, 99);
    Tensor one = make_tensor({1, 3, 4, 4});
    std::copy(batch.data.begin(), batch.data.begin() + 48, one.data.begin());
    Result<Tensor> y8 = normalize_eval(batch, rs), y1 = normalize_eval(one, rs);
    ASSERT_TRUE(y8.ok() && y1.ok());
    for (size_t i = 0; i < 48; ++i) EXPECT_EQ(y8.value().data[i], y1.value().data[i]);
}

TEST(RunningStats, TrainedAtBatch64ServedAtBatch1InTrainModeDiffers) {
    // The lesson's numbers: running statistics from many batches of 64 match a fresh batch of
    // 64 closely, so train and eval outputs agree; one sample in train mode pools only itself.
    RunningStats rs(4);
    for (int k = 0; k < 100; ++k) ASSERT_TRUE(rs.update(channel_batch({64, 4, 3, 3}, 1000 + k)).ok());
    Tensor big = channel_batch({64, 4, 3, 3}, 5);
    Result<TrainEvalGap> g64 = train_eval_gap(big, rs);
    ASSERT_TRUE(g64.ok());
    EXPECT_LT(g64.value().max_abs_diff, 0.75);
    // Served one at a time, each of the batch's first 8 samples: a single sample's 9 values
    // per channel give statistics far from the running ones (the median gap, so that one
    // typical sample cannot decide the test).
    std::vector<double> gaps;
    Result<TrainEvalGap> g1 = make_error("not run");
    for (int64_t n = 0; n < 8; ++n) {
        Tensor one = make_tensor({1, 4, 3, 3});
        std::copy(big.data.begin() + n * 36, big.data.begin() + (n + 1) * 36, one.data.begin());
        g1 = train_eval_gap(one, rs);
        ASSERT_TRUE(g1.ok());
        gaps.push_back(g1.value().max_abs_diff);
    }
    std::sort(gaps.begin(), gaps.end());
    EXPECT_GT(0.5 * (gaps[3] + gaps[4]), 3 * g64.value().max_abs_diff);
    EXPECT_EQ(g1.value().where.n, 0);
    EXPECT_EQ(g1.value().batch_stats.size(), 4u);
    EXPECT_EQ(g1.value().batch_stats[0].count, 9);
}

TEST(RunningStats, FineTuningDriftsFrozenStays) {
    // Lesson 8: trained on data around 0, then fine-tuned on data around +5. Updated running
    // statistics drift toward the new data; a frozen BatchNorm (not updated) keeps them.
    RunningStats updated(2);
    for (int k = 0; k < 50; ++k) ASSERT_TRUE(updated.update(generate({8, 2, 4, 4}, Generator::Normal, 10 + k)).ok());
    const RunningStats frozen = updated;
    for (int k = 0; k < 50; ++k) {
        Tensor t = generate({8, 2, 4, 4}, Generator::Normal, 500 + k);
        for (float& v : t.data) v += 5.0f;
        ASSERT_TRUE(updated.update(t).ok());
    }
    for (int c = 0; c < 2; ++c) {
        EXPECT_NEAR(frozen.mean()[c], 0.0, 0.2);
        EXPECT_NEAR(updated.mean()[c], 5.0, 0.2);  // 0.9^50 of the old mean is left
        EXPECT_NEAR(updated.var()[c], 1.0, 0.2);
    }
    EXPECT_EQ(frozen.batches_tracked(), 50);
    EXPECT_EQ(updated.batches_tracked(), 100);
}

}  // namespace
}  // namespace normviz::core
