// Teaching scenarios (core/scenarios.h): BatchNorm over devices without sync, gradient
// accumulation, and padded sequences with masked statistics, each against loops written here
// independently of core (long double, two passes).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "core/generators.h"
#include "core/normalize.h"
#include "core/scenarios.h"

namespace normviz::core {
namespace {

NormSpec preset(NormKind kind, int64_t groups = 1) {
    NormSpec s;
    s.kind = kind;
    s.groups = groups;
    return s;
}

// Count, mean and biased variance of the elements for which take(n, c, h, w) is true.
GroupStats direct_stats(const Tensor& t, const std::function<bool(int64_t, int64_t, int64_t, int64_t)>& take) {
    const Shape& s = t.shape;
    long double sum = 0;
    int64_t count = 0;
    auto visit = [&](auto&& f) {
        for (int64_t n = 0; n < s.N; ++n)
            for (int64_t c = 0; c < s.C; ++c)
                for (int64_t h = 0; h < s.H; ++h)
                    for (int64_t w = 0; w < s.W; ++w)
                        if (take(n, c, h, w)) f(static_cast<long double>(t.at({n, c, h, w})));
    };
    visit([&](long double v) { sum += v, ++count; });
    const long double mean = sum / count;
    long double dev = 0, sq = 0;
    visit([&](long double v) { dev += (v - mean) * (v - mean), sq += v * v; });
    return {count, static_cast<double>(mean), static_cast<double>(dev / count), static_cast<double>(sq / count)};
}

void expect_stats_near(const GroupStats& got, const GroupStats& want, const std::string& what) {
    EXPECT_EQ(got.count, want.count) << what;
    EXPECT_NEAR(got.mean, want.mean, 1e-12 * std::max(1.0, std::fabs(want.mean))) << what;
    EXPECT_NEAR(got.var, want.var, 1e-12 * std::max(1e-300, want.var)) << what;
    EXPECT_NEAR(got.mean_sq, want.mean_sq, 1e-12 * std::max(1e-300, want.mean_sq)) << what;
}

// ---- Devices -----------------------------------------------------------------------------

TEST(ScenarioDevices, DeviceIndexJoinsTheKey) {
    const Shape s{8, 3, 2, 2};
    const Partition p = make_device_partition(s, 4);
    EXPECT_EQ(p.block[0], 2);
    EXPECT_EQ(p.group_count(), 12);
    EXPECT_EQ(p.group_size(), 2 * 2 * 2);
    EXPECT_EQ(p.key_of({5, 1, 1, 0}), (Index{2, 1, 0, 0}));
    EXPECT_EQ(p.group_of({5, 1, 1, 0}), 2 * 3 + 1);  // device-major: device * C + c
    EXPECT_TRUE(p.same_group({4, 2, 0, 0}, {5, 2, 1, 1}));
    EXPECT_FALSE(p.same_group({3, 2, 0, 0}, {4, 2, 0, 0}));  // same channel, other device
}

TEST(ScenarioDevices, EveryElementInExactlyOneGroupOfEqualSize) {
    const Shape s{6, 4, 3, 2};
    for (int64_t d : {1, 2, 3, 6}) {
        const Partition p = make_device_partition(s, d);
        std::vector<int64_t> counts(static_cast<size_t>(p.group_count()), 0);
        for (int64_t f = 0; f < s.numel(); ++f) ++counts[static_cast<size_t>(p.group_of_flat(f))];
        for (int64_t c : counts) EXPECT_EQ(c, p.group_size()) << "D = " << d;
        EXPECT_EQ(p.group_count() * p.group_size(), s.numel());
        EXPECT_EQ(p.group_count(), d * s.C);
    }
}

TEST(ScenarioDevices, OneDeviceIsSyncBatchNorm) {
    const Shape s{4, 3, 5, 2};
    const Partition sync = make_device_partition(s, 1);
    const Partition batch = make_partition(preset(NormKind::Batch), s);
    EXPECT_EQ(sync.shape, batch.shape);
    EXPECT_EQ(sync.block, batch.block);
    EXPECT_EQ(sync.reduced, batch.reduced);
}

TEST(ScenarioDevices, OneSamplePerDeviceIsInstanceNorm) {
    const Tensor t = generate({4, 3, 3, 3}, Generator::PerChannel, 11);
    const auto per_device = compute_group_stats(t, make_device_partition(t.shape, 4));
    const auto instance = compute_group_stats(t, make_partition(preset(NormKind::Instance), t.shape));
    ASSERT_EQ(per_device.size(), instance.size());
    for (size_t g = 0; g < instance.size(); ++g)
        expect_stats_near(per_device[g], instance[g], "group " + std::to_string(g));
}

TEST(ScenarioDevices, SplitErrorsNameTheFix) {
    const Shape s{8, 3, 4, 4};
    EXPECT_TRUE(validate_batch_split(s, 1).ok());
    EXPECT_TRUE(validate_batch_split(s, 8).ok());
    const Status zero = validate_batch_split(s, 0);
    ASSERT_FALSE(zero.ok());
    EXPECT_NE(zero.error().message.find("D = 0"), std::string::npos);
    const Status three = validate_batch_split(s, 3);
    ASSERT_FALSE(three.ok());
    EXPECT_NE(three.error().message.find("choose D from 1, 2, 4, 8"), std::string::npos) << three.error().message;
    const Status micro = validate_batch_split(s, 3, BatchSplit::MicroBatches);
    ASSERT_FALSE(micro.ok());
    EXPECT_NE(micro.error().message.find("micro-batches"), std::string::npos);
    EXPECT_NE(micro.error().message.find("choose M from"), std::string::npos);
    // One value per channel on a device: PyTorch's training-mode error.
    const Status single = validate_batch_split({4, 3, 1, 1}, 4);
    ASSERT_FALSE(single.ok());
    EXPECT_NE(single.error().message.find("more than one value per channel"), std::string::npos);
    EXPECT_TRUE(validate_batch_split({4, 3, 1, 1}, 2).ok());
    for (const Status& st : {zero, three, micro, single}) EXPECT_EQ(st.error().message.find('\n'), std::string::npos);
    EXPECT_FALSE(device_channel_stats(generate(s, Generator::Normal, 1), 3, 0).ok());
    EXPECT_FALSE(normalize_per_device(generate(s, Generator::Normal, 1), 3).ok());
}

TEST(ScenarioDevices, PerDeviceAndSyncedStatsMatchDirectLoops) {
    const Tensor t = generate({8, 3, 4, 5}, Generator::PerSample, 21);  // samples differ
    const int64_t D = 4, per = 2;
    for (int64_t c = 0; c < 3; ++c) {
        Result<DeviceChannelStats> r = device_channel_stats(t, D, c);
        ASSERT_TRUE(r.ok()) << r.error().message;
        ASSERT_EQ(r.value().per_device.size(), 4u);
        double lo = 1e300, hi = -1e300;
        for (int64_t d = 0; d < D; ++d) {
            const GroupStats want = direct_stats(t, [&](int64_t n, int64_t cc, int64_t, int64_t) {
                return cc == c && n >= d * per && n < (d + 1) * per;
            });
            expect_stats_near(r.value().per_device[static_cast<size_t>(d)], want,
                              "c " + std::to_string(c) + " device " + std::to_string(d));
            lo = std::min(lo, want.mean), hi = std::max(hi, want.mean);
        }
        const GroupStats synced = direct_stats(t, [&](int64_t, int64_t cc, int64_t, int64_t) { return cc == c; });
        expect_stats_near(r.value().synced, synced, "synced c " + std::to_string(c));
        EXPECT_NEAR(r.value().mean_spread, hi - lo, 1e-12 * std::max(1.0, hi - lo));
        EXPECT_GT(r.value().mean_spread, 0.1);  // PerSample offsets: devices disagree
    }
}

TEST(ScenarioDevices, GradientAccumulationIsDevices) {
    // M micro-batches, each run through BatchNorm on its own: slice the batch into M tensors
    // and pool each with the ordinary batch partition.
    const Tensor t = generate({6, 2, 3, 3}, Generator::PerSample, 5);
    const int64_t M = 3, per = 2, slice = per * 2 * 3 * 3;
    ASSERT_TRUE(validate_batch_split(t.shape, M, BatchSplit::MicroBatches).ok());
    const auto split = compute_group_stats(t, make_device_partition(t.shape, M));
    for (int64_t m = 0; m < M; ++m) {
        Tensor micro = make_tensor({per, 2, 3, 3});
        std::copy(t.data.begin() + m * slice, t.data.begin() + (m + 1) * slice, micro.data.begin());
        const auto own = compute_group_stats(micro, make_partition(preset(NormKind::Batch), micro.shape));
        for (int64_t c = 0; c < 2; ++c)
            expect_stats_near(split[static_cast<size_t>(m * 2 + c)], own[static_cast<size_t>(c)],
                              "micro-batch " + std::to_string(m) + " c " + std::to_string(c));
    }
}

TEST(ScenarioDevices, NormalizePerDeviceMatchesDirectFormula) {
    const Tensor t = generate({4, 3, 2, 3}, Generator::PerSample, 8);
    Affine affine{{1.5f, 0.5f, 2.0f}, {0.25f, -1.0f, 0.5f}};
    Result<Tensor> y = normalize_per_device(t, 2, 1e-5, affine);
    ASSERT_TRUE(y.ok());
    for (int64_t n = 0; n < 4; ++n)
        for (int64_t c = 0; c < 3; ++c) {
            const GroupStats g =
                direct_stats(t, [&](int64_t nn, int64_t cc, int64_t, int64_t) { return cc == c && nn / 2 == n / 2; });
            for (int64_t h = 0; h < 2; ++h)
                for (int64_t w = 0; w < 3; ++w) {
                    const double want =
                        (t.at({n, c, h, w}) - g.mean) / std::sqrt(g.var + 1e-5) * affine.gamma[c] + affine.beta[c];
                    EXPECT_NEAR(y.value().at({n, c, h, w}), want, 1e-6);
                }
        }
    // One device: exactly BatchNorm's output.
    Result<Tensor> sync = normalize_per_device(t, 1);
    Result<Tensor> batch = normalize(t, preset(NormKind::Batch));
    ASSERT_TRUE(sync.ok() && batch.ok());
    EXPECT_EQ(sync.value().data, batch.value().data);
}

// ---- Padding -----------------------------------------------------------------------------

TEST(ScenarioPadding, LengthErrorsNameTheFix) {
    const Shape s{3, 2, 1, 5};
    EXPECT_TRUE(validate_lengths(s, {5, 1, 3}).ok());
    for (const std::vector<int64_t>& bad : std::vector<std::vector<int64_t>>{{5, 1}, {0, 1, 3}, {6, 1, 3}}) {
        const Status st = validate_lengths(s, bad);
        ASSERT_FALSE(st.ok());
        EXPECT_NE(st.error().message.find("1..5"), std::string::npos) << st.error().message;
        EXPECT_EQ(st.error().message.find('\n'), std::string::npos);
    }
    EXPECT_FALSE(padding_effect(make_tensor(s), {5, 1}).ok());
}

TEST(ScenarioPadding, MaskCountsValidPositionsOnly) {
    const Shape s{3, 2, 2, 4};
    const std::vector<int64_t> lengths{4, 1, 2};
    const auto mask = make_padding_mask(s, lengths);
    ASSERT_EQ(mask.size(), static_cast<size_t>(s.numel()));
    int64_t ones = 0;
    for (int64_t n = 0; n < 3; ++n)
        for (int64_t c = 0; c < 2; ++c)
            for (int64_t h = 0; h < 2; ++h)
                for (int64_t w = 0; w < 4; ++w) {
                    const uint8_t m = mask[static_cast<size_t>(flat_index(s, {n, c, h, w}))];
                    EXPECT_EQ(m, w < lengths[static_cast<size_t>(n)] ? 1 : 0);
                    ones += m;
                }
    EXPECT_EQ(ones, 2 * 2 * (4 + 1 + 2));
    Tensor t = generate(s, Generator::Normal, 1);
    const Tensor before = t;
    fill_padding(t, lengths, 0.0f);
    for (size_t i = 0; i < mask.size(); ++i) EXPECT_EQ(t.data[i], mask[i] ? before.data[i] : 0.0f);
}

TEST(ScenarioPadding, MaskedBatchStatsMatchDirectLoopsAndIgnorePaddingValues) {
    Tensor t = generate({4, 3, 2, 6}, Generator::PerChannel, 3);
    const std::vector<int64_t> lengths{6, 2, 4, 1};
    const Partition p = make_partition(preset(NormKind::Batch), t.shape);
    const auto mask = make_padding_mask(t.shape, lengths);
    for (float pad : {0.0f, 100.0f}) {
        fill_padding(t, lengths, pad);
        const auto stats = compute_group_stats_masked(t, p, mask);
        ASSERT_EQ(stats.size(), 3u);
        for (int64_t c = 0; c < 3; ++c) {
            const GroupStats want = direct_stats(t, [&](int64_t n, int64_t cc, int64_t, int64_t w) {
                return cc == c && w < lengths[static_cast<size_t>(n)];
            });
            EXPECT_EQ(want.count, 2 * (6 + 2 + 4 + 1));
            expect_stats_near(stats[static_cast<size_t>(c)], want, "c " + std::to_string(c));
        }
    }
}

TEST(ScenarioPadding, PaddingEffectShowsHowFarNaiveStatsMove) {
    Tensor t = generate({4, 3, 1, 8}, Generator::PerChannel, 4);
    const std::vector<int64_t> lengths{8, 3, 5, 2};
    fill_padding(t, lengths, 0.0f);  // padded with zeros, as a tokenizer's batch often is
    Result<std::vector<PaddingEffect>> r = padding_effect(t, lengths);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r.value().size(), 3u);
    for (int64_t c = 0; c < 3; ++c) {
        const PaddingEffect& e = r.value()[static_cast<size_t>(c)];
        const GroupStats naive = direct_stats(t, [&](int64_t, int64_t cc, int64_t, int64_t) { return cc == c; });
        const GroupStats masked = direct_stats(t, [&](int64_t n, int64_t cc, int64_t, int64_t w) {
            return cc == c && w < lengths[static_cast<size_t>(n)];
        });
        expect_stats_near(e.naive, naive, "naive c " + std::to_string(c));
        expect_stats_near(e.masked, masked, "masked c " + std::to_string(c));
        EXPECT_NEAR(e.mean_shift, naive.mean - masked.mean, 1e-12 * std::max(1.0, std::fabs(masked.mean)));
        EXPECT_NEAR(e.var_ratio, naive.var / masked.var, 1e-12 * (naive.var / masked.var));
        // 14 of 32 positions are zeros: the naive mean is pulled toward 0 by 14/32 of it.
        EXPECT_NEAR(e.naive.mean, masked.mean * 18.0 / 32.0, 1e-12 * std::max(1.0, std::fabs(masked.mean)));
    }
}

TEST(ScenarioPadding, AllOnesMaskEqualsOrdinaryStats) {
    const Tensor t = generate({3, 6, 2, 4}, Generator::PerSample, 6);
    const std::vector<uint8_t> ones(static_cast<size_t>(t.shape.numel()), 1);
    for (const NormSpec& spec : {preset(NormKind::Batch), preset(NormKind::Layer), preset(NormKind::Instance),
                                 preset(NormKind::Group, 3), preset(NormKind::LayerToken), preset(NormKind::Rms)}) {
        const Partition p = make_partition(spec, t.shape);
        const auto masked = compute_group_stats_masked(t, p, ones);
        const auto plain = compute_group_stats(t, p);
        ASSERT_EQ(masked.size(), plain.size());
        for (size_t g = 0; g < plain.size(); ++g)
            expect_stats_near(masked[g], plain[g], std::string(norm_name(spec.kind)) + " group " + std::to_string(g));
    }
}

TEST(ScenarioPadding, MaskedDeviceStatsCombineBothScenarios) {
    // A mask on any partition: devices and padding together, against direct loops.
    const Tensor t = generate({4, 2, 1, 5}, Generator::PerSample, 9);
    const std::vector<int64_t> lengths{5, 2, 3, 1};
    const auto stats =
        compute_group_stats_masked(t, make_device_partition(t.shape, 2), make_padding_mask(t.shape, lengths));
    for (int64_t d = 0; d < 2; ++d)
        for (int64_t c = 0; c < 2; ++c) {
            const GroupStats want = direct_stats(t, [&](int64_t n, int64_t cc, int64_t, int64_t w) {
                return cc == c && n / 2 == d && w < lengths[static_cast<size_t>(n)];
            });
            expect_stats_near(stats[static_cast<size_t>(d * 2 + c)], want, "device/channel");
        }
}

TEST(ScenarioPadding, LayerNormOverChannelsNeverSeesPadding) {
    // Layer-token groups are single positions: changing padded values changes no valid output,
    // even with the ordinary (unmasked) norm.
    Tensor a = generate({2, 4, 1, 6}, Generator::PerChannel, 2);
    const std::vector<int64_t> lengths{6, 3};
    Tensor b = a;
    fill_padding(a, lengths, 0.0f);
    fill_padding(b, lengths, -50.0f);
    const NormSpec token = preset(NormKind::LayerToken);
    Result<Tensor> ya = normalize(a, token), yb = normalize(b, token);
    ASSERT_TRUE(ya.ok() && yb.ok());
    const auto mask = make_padding_mask(a.shape, lengths);
    for (size_t i = 0; i < mask.size(); ++i)
        if (mask[i]) {
            EXPECT_EQ(ya.value().data[i], yb.value().data[i]);
        }
    // Masked layer-token: padded positions form empty groups; valid ones equal the ordinary.
    const Partition p = make_partition(token, a.shape);
    const auto masked = compute_group_stats_masked(a, p, mask);
    const auto plain = compute_group_stats(a, p);
    for (int64_t n = 0; n < 2; ++n)
        for (int64_t w = 0; w < 6; ++w) {
            const size_t g = static_cast<size_t>(p.group_of({n, 0, 0, w}));
            if (w < lengths[static_cast<size_t>(n)]) {
                expect_stats_near(masked[g], plain[g], "valid token");
            } else {
                EXPECT_EQ(masked[g].count, 0);
                EXPECT_TRUE(std::isnan(masked[g].mean) && std::isnan(masked[g].var));
            }
        }
    const Tensor y = normalize_masked(a, token, p, masked, mask);
    for (size_t i = 0; i < mask.size(); ++i) EXPECT_NEAR(y.data[i], mask[i] ? ya.value().data[i] : 0.0f, 1e-6);
}

TEST(ScenarioPadding, NaiveBatchNormOutputsDependOnPaddingMaskedDoNot) {
    Tensor a = generate({3, 2, 2, 5}, Generator::PerChannel, 12);
    const std::vector<int64_t> lengths{5, 2, 3};
    Tensor b = a;
    fill_padding(a, lengths, 0.0f);
    fill_padding(b, lengths, 7.0f);
    const NormSpec bn = preset(NormKind::Batch);
    const Partition p = make_partition(bn, a.shape);
    const auto mask = make_padding_mask(a.shape, lengths);
    Result<Tensor> na = normalize(a, bn), nb = normalize(b, bn);
    ASSERT_TRUE(na.ok() && nb.ok());
    const Tensor ma = normalize_masked(a, bn, p, compute_group_stats_masked(a, p, mask), mask);
    const Tensor mb = normalize_masked(b, bn, p, compute_group_stats_masked(b, p, mask), mask);
    double naive_moved = 0;
    for (size_t i = 0; i < mask.size(); ++i) {
        if (!mask[i]) continue;
        naive_moved = std::max(naive_moved, std::fabs(double(na.value().data[i]) - nb.value().data[i]));
        EXPECT_EQ(ma.data[i], mb.data[i]);
    }
    EXPECT_GT(naive_moved, 0.1);
}

TEST(ScenarioPadding, MaskedNormalizeMatchesDirectFormula) {
    Tensor t = generate({3, 2, 2, 4}, Generator::PerChannel, 13);
    const std::vector<int64_t> lengths{4, 1, 3};
    const NormSpec bn = preset(NormKind::Batch);
    const Partition p = make_partition(bn, t.shape);
    const auto mask = make_padding_mask(t.shape, lengths);
    const Affine affine{{2.0f, 0.5f}, {1.0f, -0.5f}};
    const Tensor y = normalize_masked(t, bn, p, compute_group_stats_masked(t, p, mask), mask, affine, -9.0f);
    for (int64_t c = 0; c < 2; ++c) {
        const GroupStats g = direct_stats(t, [&](int64_t n, int64_t cc, int64_t, int64_t w) {
            return cc == c && w < lengths[static_cast<size_t>(n)];
        });
        for (int64_t n = 0; n < 3; ++n)
            for (int64_t h = 0; h < 2; ++h)
                for (int64_t w = 0; w < 4; ++w) {
                    const double want =
                        w < lengths[static_cast<size_t>(n)]
                            ? (t.at({n, c, h, w}) - g.mean) / std::sqrt(g.var + 1e-5) * affine.gamma[c] + affine.beta[c]
                            : -9.0;
                    EXPECT_NEAR(y.at({n, c, h, w}), want, 1e-6);
                }
    }
}

TEST(ScenarioPadding, LargeOffsetKeepsItsMaskedVariance) {
    const Tensor t = generate({4, 2, 4, 16}, Generator::LargeOffset, 14);
    const std::vector<int64_t> lengths{16, 9, 4, 12};
    const auto stats = compute_group_stats_masked(t, make_partition(preset(NormKind::Batch), t.shape),
                                                  make_padding_mask(t.shape, lengths));
    for (int64_t c = 0; c < 2; ++c) {
        const GroupStats want = direct_stats(t, [&](int64_t n, int64_t cc, int64_t, int64_t w) {
            return cc == c && w < lengths[static_cast<size_t>(n)];
        });
        EXPECT_NEAR(stats[static_cast<size_t>(c)].var, want.var, 1e-9 * want.var);
        EXPECT_GT(want.var, 0.5);
    }
}

TEST(ScenarioPadding, NanStaysInsideItsGroupAndPaddedNanIsIgnored) {
    Tensor t = generate({2, 3, 1, 4}, Generator::Normal, 15);
    const std::vector<int64_t> lengths{4, 2};
    t.at({0, 1, 0, 2}) = std::numeric_limits<float>::quiet_NaN();  // valid: poisons channel 1
    t.at({1, 2, 0, 3}) = std::numeric_limits<float>::infinity();   // padded: excluded
    const auto stats = compute_group_stats_masked(t, make_partition(preset(NormKind::Batch), t.shape),
                                                  make_padding_mask(t.shape, lengths));
    EXPECT_TRUE(std::isfinite(stats[0].mean) && std::isfinite(stats[0].var));
    EXPECT_TRUE(std::isnan(stats[1].mean) && std::isnan(stats[1].var));
    EXPECT_TRUE(std::isfinite(stats[2].mean) && std::isfinite(stats[2].var));
    EXPECT_EQ(stats[2].count, 6);
}

}  // namespace
}  // namespace normviz::core
