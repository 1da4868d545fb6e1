// Statistics and normalization give the same bits for every thread count, and the fused
// normalize_with_stats_into gives the same bits as compute_group_stats + normalize_into;
// plus the numeric contract on groups large enough to span many pieces (stats_kernels.h).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/generators.h"
#include "core/normalize.h"
#include "core/parallel.h"
#include "core/simd.h"
#include "core/stats_kernels.h"
#include "core/stats.h"

using namespace normviz::core;

namespace {

constexpr int kThreadCounts[] = {1, 2, 3, 7};
constexpr detail::SimdPath kPaths[] = {detail::SimdPath::Baseline, detail::SimdPath::Avx2, detail::SimdPath::Avx512};

bool same_bits(const std::vector<GroupStats>& a, const std::vector<GroupStats>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].count != b[i].count || std::memcmp(&a[i].mean, &b[i].mean, 8) != 0 ||
            std::memcmp(&a[i].var, &b[i].var, 8) != 0 || std::memcmp(&a[i].mean_sq, &b[i].mean_sq, 8) != 0)
            return false;
    }
    return true;
}

bool same_bits(const FloatBuffer& a, const FloatBuffer& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Bitwise, except that a NaN matches any NaN: how x86 propagates a NaN's sign through
// arithmetic depends on operand order, which the compiler picks per code path (the baseline
// AVX2 and AVX-512 kernels, unoptimized builds).
bool same_values(const FloatBuffer& a, const FloatBuffer& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(a[i]) && std::isnan(b[i])) continue;
        if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) return false;
    }
    return true;
}

// Every preset, GroupNorm with every divisor G of C, every custom axis set centred and not.
std::vector<NormSpec> all_specs(const Shape& shape) {
    std::vector<NormSpec> specs;
    for (NormKind k : {NormKind::Batch, NormKind::Layer, NormKind::Instance, NormKind::LayerToken, NormKind::Rms}) {
        NormSpec s;
        s.kind = k;
        specs.push_back(s);
    }
    for (int64_t g = 1; g <= shape.C; ++g) {
        if (shape.C % g != 0) continue;
        NormSpec s;
        s.kind = NormKind::Group;
        s.groups = g;
        specs.push_back(s);
    }
    for (AxisMask axes = 1; axes <= kAllAxes; ++axes) {
        for (bool center : {true, false}) {
            NormSpec s;
            s.kind = NormKind::Custom;
            s.custom_axes = axes;
            s.custom_center = center;
            specs.push_back(s);
        }
    }
    std::vector<NormSpec> valid;
    for (const NormSpec& s : specs)
        if (validate(s, shape).ok()) valid.push_back(s);
    return valid;
}

// Random data with a few NaN/Inf sprinkled in (when `specials`), so that their groups take
// the exact fallback path in some pieces.
Tensor random_tensor(const Shape& shape, uint64_t seed, bool specials) {
    Tensor t = generate(shape, Generator::PerChannel, seed);
    if (specials) {
        std::mt19937_64 rng(seed);
        std::uniform_int_distribution<int64_t> at(0, shape.numel() - 1);
        t.data[static_cast<size_t>(at(rng))] = std::nanf("");
        t.data[static_cast<size_t>(at(rng))] = INFINITY;
        t.data[static_cast<size_t>(at(rng))] = -INFINITY;
    }
    return t;
}

void expect_thread_invariant(const Tensor& t, const NormSpec& spec, const Affine& affine) {
    const Partition p = make_partition(spec, t.shape);
    const std::string what = to_string(spec) + " on " + to_string(t.shape);
    const std::vector<GroupStats> ref_stats = compute_group_stats(t, p, 1);
    Tensor ref;
    normalize_into(t, spec, p, ref_stats, affine, ref, 1);
    for (int threads : kThreadCounts) {
        EXPECT_TRUE(same_bits(compute_group_stats(t, p, threads), ref_stats))
            << what << ": stats with " << threads << " threads";
        Tensor y;
        normalize_into(t, spec, p, ref_stats, affine, y, threads);
        EXPECT_TRUE(same_bits(y.data, ref.data)) << what << ": normalize_into, " << threads << " threads";
        std::vector<GroupStats> fused_stats;
        Tensor fused;
        normalize_with_stats_into(t, spec, p, affine, fused_stats, fused, threads);
        EXPECT_TRUE(same_bits(fused_stats, ref_stats)) << what << ": fused stats, " << threads << " threads";
        EXPECT_TRUE(same_bits(fused.data, ref.data)) << what << ": fused output, " << threads << " threads";
    }
    // Every kernel path this machine runs (baseline SSE2 / NEON, AVX2, AVX-512) agrees with
    // the reference, which took the widest one.
    const detail::SimdPath limit = detail::simd_path_limit();
    for (detail::SimdPath path : kPaths) {
        if (!detail::simd_path_supported(path)) continue;
        detail::set_simd_path_limit(path);
        std::vector<GroupStats> path_stats;
        Tensor path_out;
        normalize_with_stats_into(t, spec, p, affine, path_stats, path_out, 3);
        const std::vector<GroupStats> alone = compute_group_stats(t, p, 2);
        Tensor alone_out;
        normalize_into(t, spec, p, ref_stats, affine, alone_out, 2);
        detail::set_simd_path_limit(limit);
        const char* name = detail::simd_path_name(path);
        EXPECT_TRUE(same_bits(path_stats, ref_stats)) << what << ": " << name << " fused stats";
        EXPECT_TRUE(same_values(path_out.data, ref.data)) << what << ": " << name << " fused output";
        EXPECT_TRUE(same_bits(alone, ref_stats)) << what << ": " << name << " stats";
        EXPECT_TRUE(same_values(alone_out.data, ref.data)) << what << ": " << name << " output";
    }
}

}  // namespace

TEST(StatsThreads, EveryNormGivesTheSameBitsForAnyThreadCount) {
    // Random shapes above the parallel grain (32768 values), including planes longer than a
    // piece, odd extents, and channels that need several row pieces for layer-token.
    std::mt19937_64 rng(2024);
    std::vector<Shape> shapes = {{3, 300, 7, 9}, {1, 4, 130, 70}, {5, 12, 1, 700}, {2, 520, 1, 37}, {33, 8, 11, 13}};
    std::uniform_int_distribution<int64_t> n(1, 6), c(1, 24), hw(1, 40);
    while (shapes.size() < 9) {
        Shape s{n(rng), c(rng), hw(rng), hw(rng)};
        if (s.numel() >= 40000) shapes.push_back(s);
    }
    uint64_t seed = 1;
    for (const Shape& shape : shapes) {
        const Tensor t = random_tensor(shape, seed, seed % 2 == 0);
        Affine affine;
        if (seed % 3 == 0) {
            for (int64_t c2 = 0; c2 < shape.C; ++c2) {
                affine.gamma.push_back(0.5f + 0.01f * static_cast<float>(c2));
                affine.beta.push_back(-0.25f * static_cast<float>(c2 % 5));
            }
        }
        ++seed;
        for (const NormSpec& spec : all_specs(shape)) expect_thread_invariant(t, spec, affine);
    }
}

TEST(StatsThreads, StreamingOutputIsTheSameForAnyThreadCount) {
    // 4 M values = 16 MiB: normalize writes with streaming stores.
    const Tensor t = random_tensor({4, 64, 128, 128}, 9, true);
    for (NormKind k :
         {NormKind::Batch, NormKind::Layer, NormKind::Instance, NormKind::Group, NormKind::LayerToken, NormKind::Rms}) {
        NormSpec spec;
        spec.kind = k;
        spec.groups = 32;
        expect_thread_invariant(t, spec, {});
    }
}

TEST(StatsThreads, StreamedOutputsAreThoseOfEachSampleAlone) {
    // (5, 64, 127, 129), 21 MB, is written with streaming stores, whose vector loops start where
    // the output is aligned to a whole vector; one sample, 4 MB, is not, and its loops start at
    // its first value. Planes of 127 x 129 values start at every offset modulo 16, so every
    // split between scalar and vector code is met; the outputs must not depend on it.
    const Shape shape{5, 64, 127, 129};
    const Tensor t = random_tensor(shape, 21, true);
    Affine affine;
    for (int64_t c = 0; c < shape.C; ++c) {
        affine.gamma.push_back(0.75f + 0.01f * static_cast<float>(c));
        affine.beta.push_back(0.125f * static_cast<float>(c % 7) - 0.5f);
    }
    const int64_t sample = shape.numel() / shape.N;
    for (NormKind k : {NormKind::Layer, NormKind::Instance, NormKind::Group, NormKind::LayerToken, NormKind::Rms}) {
        NormSpec spec;
        spec.kind = k;
        spec.groups = 32;
        for (bool with_affine : {false, true}) {
            const Affine& a = with_affine ? affine : Affine{};
            const Result<Tensor> all = normalize(t, spec, a, 2);
            ASSERT_TRUE(all.ok()) << all.error().message;
            for (int64_t n = 0; n < shape.N; ++n) {
                Tensor one = make_tensor({1, shape.C, shape.H, shape.W});
                std::memcpy(one.data.data(), t.data.data() + n * sample, static_cast<size_t>(sample) * sizeof(float));
                const Result<Tensor> alone = normalize(one, spec, a, 2);
                ASSERT_TRUE(alone.ok());
                FloatBuffer part(std::vector<float>(all.value().data.begin() + n * sample,
                                                    all.value().data.begin() + (n + 1) * sample));
                EXPECT_TRUE(same_values(part, alone.value().data))
                    << to_string(spec) << (with_affine ? " with gamma and beta" : "") << ", sample " << n;
            }
        }
    }
}

TEST(StatsThreads, ManyPieceGroupsKeepTheNumericContract) {
    // LayerNorm over (1, 8, 100, 100): one group of 80000 values = 20 pieces.
    NormSpec layer;
    layer.kind = NormKind::Layer;
    Tensor t = generate({1, 8, 100, 100}, Generator::LargeOffset, 5);
    const Partition p = make_partition(layer, t.shape);
    long double sum = 0, dev = 0, sq = 0;
    for (float v : t.data) sum += v, sq += static_cast<long double>(v) * v;
    const long double mean = sum / t.data.size();
    for (float v : t.data) dev += (v - mean) * (v - mean);
    for (int threads : kThreadCounts) {
        const GroupStats g = compute_group_stats(t, p, threads)[0];
        EXPECT_NEAR(g.mean, static_cast<double>(mean), 1e-12 * 1e4);
        EXPECT_NEAR(g.var, static_cast<double>(dev / t.data.size()), 1e-9 * static_cast<double>(dev / t.data.size()));
        EXPECT_NEAR(g.mean_sq, static_cast<double>(sq / t.data.size()),
                    1e-12 * static_cast<double>(sq / t.data.size()));
    }

    for (float& v : t.data) v = 3.1f;  // constant: variance exactly 0, mean exactly the value
    for (int threads : kThreadCounts) {
        const GroupStats g = compute_group_stats(t, p, threads)[0];
        EXPECT_EQ(g.var, 0.0);
        EXPECT_EQ(g.mean, static_cast<double>(3.1f));
    }

    // +Inf in two different pieces: the mean stays +Inf (a naive Chan merge of two +Inf piece
    // means gives NaN), the variance is NaN, mean_sq Inf.
    t.data[10] = INFINITY;
    t.data[70000] = INFINITY;
    for (int threads : kThreadCounts) {
        const GroupStats g = compute_group_stats(t, p, threads)[0];
        EXPECT_EQ(g.mean, INFINITY);
        EXPECT_TRUE(std::isnan(g.var));
        EXPECT_EQ(g.mean_sq, INFINITY);
    }
    t.data[40000] = -INFINITY;  // +Inf and -Inf: NaN mean, as PyTorch's sum
    EXPECT_TRUE(std::isnan(compute_group_stats(t, p, 2)[0].mean));
    t.data[40000] = std::nanf("");
    const GroupStats nan_group = compute_group_stats(t, p, 3)[0];
    EXPECT_TRUE(std::isnan(nan_group.mean));
    EXPECT_TRUE(std::isnan(nan_group.var));
}

TEST(StatsThreads, LaneWiseGroupsWithManyRowPiecesKeepTheContract) {
    // Layer-token over C = 600 (3 row pieces) at each position; an outlier as the first
    // value of a piece (the shift) must not cost the variance its digits.
    NormSpec token;
    token.kind = NormKind::LayerToken;
    Tensor t = generate({2, 600, 8, 8}, Generator::LargeOffset, 8);
    t.data[256 * 64 + 5] = 1e7f;  // (n=0, c=256, position 5): first row of piece 1
    const Partition p = make_partition(token, t.shape);
    const auto stats = compute_group_stats(t, p, 2);
    for (int64_t g : {int64_t{5}, int64_t{64 + 17}}) {
        const int64_t n = g / 64, pos = g % 64;
        long double sum = 0, dev = 0;
        for (int64_t c = 0; c < 600; ++c) sum += t.data[static_cast<size_t>((n * 600 + c) * 64 + pos)];
        const long double mean = sum / 600;
        for (int64_t c = 0; c < 600; ++c) {
            const long double d = t.data[static_cast<size_t>((n * 600 + c) * 64 + pos)] - mean;
            dev += d * d;
        }
        EXPECT_NEAR(stats[static_cast<size_t>(g)].var, static_cast<double>(dev / 600),
                    1e-9 * static_cast<double>(dev / 600));
    }
}

TEST(StatsThreads, WorkItemSizeNeverChangesABit) {
    // Items are sized to the L2 cache read at run time (stats_kernels.h, item_bytes()); any
    // size, from 8-lane tiles to whole tensors, with fused waves of groups in between, gives
    // the bits of one thread at the default size.
    EXPECT_GE(l2_cache_bytes(), int64_t{256} << 10);
    EXPECT_LE(l2_cache_bytes(), int64_t{16} << 20);
    const Tensor t = random_tensor({4, 8, 40, 40}, 11, true);
    bool waves_taken = false;
    for (NormKind k :
         {NormKind::Batch, NormKind::Layer, NormKind::Instance, NormKind::Group, NormKind::LayerToken, NormKind::Rms}) {
        NormSpec spec;
        spec.kind = k;
        spec.groups = 4;
        const Partition p = make_partition(spec, t.shape);
        const std::vector<GroupStats> ref_stats = compute_group_stats(t, p, 1);
        Tensor ref;
        normalize_into(t, spec, p, ref_stats, {}, ref, 1);
        for (int64_t bytes : {int64_t{2} << 10, int64_t{16} << 10, int64_t{64} << 10, int64_t{64} << 20}) {
            detail::set_item_bytes_for_testing(bytes);
            for (int threads : {2, 3, 7, 16}) {
                const detail::RowLayout layout = detail::make_row_layout(p);
                waves_taken =
                    waves_taken || (layout.mode == detail::RowMode::Whole && detail::whole_in_waves(layout, threads));
                const std::string what = to_string(spec) + ", items of " + std::to_string(bytes) + " bytes, " +
                                         std::to_string(threads) + " threads";
                std::vector<GroupStats> fused_stats;
                Tensor fused, y;
                normalize_with_stats_into(t, spec, p, {}, fused_stats, fused, threads);
                normalize_into(t, spec, p, ref_stats, {}, y, threads);
                EXPECT_TRUE(same_bits(compute_group_stats(t, p, threads), ref_stats)) << what;
                EXPECT_TRUE(same_bits(fused_stats, ref_stats)) << what << ": fused stats";
                EXPECT_TRUE(same_bits(fused.data, ref.data)) << what << ": fused output";
                EXPECT_TRUE(same_bits(y.data, ref.data)) << what << ": output";
            }
            detail::set_item_bytes_for_testing(0);
        }
    }
    EXPECT_TRUE(waves_taken) << "no case took the fused waves of whole groups";
}

bool same_moments(const detail::Moments& a, const detail::Moments& b) {
    return a.count == b.count && std::memcmp(&a.sum, &b.sum, 8) == 0 && std::memcmp(&a.mean, &b.mean, 8) == 0 &&
           std::memcmp(&a.m2, &b.m2, 8) == 0 && std::memcmp(&a.sum_sq, &b.sum_sq, 8) == 0;
}

TEST(StatsThreads, PiecesSummedInPairsGiveTheBitsOfEachAlone) {
    // whole_pieces_moments sums two pieces at once; where their runs (a piece's values in one
    // row) differ in length, each value must still reach the lane it reaches alone. Rows of
    // 63, 9, 37 and 4900 values cut pieces of 4096 at every offset; the start is odd too, so
    // that a pair straddles two groups.
    int cases = 0;
    for (const Shape& shape : {Shape{3, 5, 7, 9}, Shape{2, 3, 70, 70}, Shape{5, 4, 1, 37}, Shape{2, 16, 33, 65}}) {
        const Tensor t = random_tensor(shape, 5, true);
        for (const NormSpec& spec : all_specs(shape)) {
            const detail::RowLayout layout = detail::make_row_layout(make_partition(spec, shape));
            if (layout.mode != detail::RowMode::Whole) continue;
            const int64_t total = layout.row_groups * layout.whole_pieces();
            for (detail::SimdPath path : kPaths) {
                if (!detail::simd_path_supported(path)) continue;
                const detail::SimdPath limit = detail::simd_path_limit();
                detail::set_simd_path_limit(path);
                for (int64_t first : {int64_t{0}, int64_t{1}}) {
                    if (first >= total) continue;
                    std::vector<detail::Moments> pairs(static_cast<size_t>(total - first));
                    detail::whole_pieces_moments(layout, t.data.data(), first, total - first, pairs.data());
                    for (int64_t i = first; i < total; ++i) {
                        const detail::Moments alone = detail::whole_piece_moments(
                            layout, t.data.data(), i / layout.whole_pieces(), i % layout.whole_pieces());
                        EXPECT_TRUE(same_moments(pairs[static_cast<size_t>(i - first)], alone))
                            << to_string(spec) << " on " << to_string(shape) << ", piece " << i << " of " << total
                            << " from " << first << ", " << detail::simd_path_name(path);
                    }
                    ++cases;
                }
                detail::set_simd_path_limit(limit);
            }
        }
    }
    EXPECT_GT(cases, 40);
}
