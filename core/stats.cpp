// Per-group statistics in double. The tensor is cut into fixed pieces (up to kPieceLength
// values of one group, or up to kPieceRows rows of a lane-wise group); each piece is summed
// in one pass around a shift, and pieces are merged in a fixed order with Chan et al.'s
// update, as ATen's RowwiseMoments does. The pieces depend only on the shape, so the numbers
// are the same for any thread count.
//
// Accuracy of the shifted pass: with d = x - s for a shift s taken from the piece's own
// values, sum(d^2) - sum(d)^2 / n loses at most a factor n of relative precision (because
// n (mean - s)^2 <= sum (x - mean)^2 when s is one of the x), so a piece of 4096 values keeps
// about 12 digits even in the worst case and ~15 for ordinary data; 1e4 + N(0, 1) keeps its
// variance, and a constant piece has d = 0 and variance exactly 0. A piece with NaN or Inf
// is recomputed exactly (two passes), which gives PyTorch's propagation.
#include "core/stats.h"

#include <atomic>
#include <cmath>
#include <limits>

#include "core/assert.h"
#include "core/parallel.h"
#include "core/stats_kernels.h"

namespace normviz::core {

namespace detail {

namespace {
std::atomic<int64_t> g_item_bytes_for_testing{0};
}  // namespace

int64_t item_bytes() {
    const int64_t forced = g_item_bytes_for_testing.load(std::memory_order_relaxed);
    return forced > 0 ? forced : l2_cache_bytes() / 2;
}

void set_item_bytes_for_testing(int64_t bytes) { g_item_bytes_for_testing.store(bytes); }

int64_t RowLayout::lane_tile(int threads) const {
    int64_t t = item_bytes() / (std::max<int64_t>(rows_per_group, 1) * 4);
    const int64_t tiles_wanted = (kItemsPerThread * threads + row_groups - 1) / std::max<int64_t>(row_groups, 1);
    if (tiles_wanted > 1) t = std::min(t, (row_length + tiles_wanted - 1) / tiles_wanted);
    t = std::max<int64_t>(8, t / 8 * 8);
    // Tiles of equal width: 3136 lanes in tiles of 1024 left one of 64, whose rows of 256
    // bytes streamed slowly (4 tiles of 784: LayerNorm over C 1.76 -> 1.60x a copy).
    if (t < row_length) {
        const int64_t tiles = (row_length + t - 1) / t;
        t = std::min(t, ((row_length + tiles - 1) / tiles + 7) / 8 * 8);
    }
    return std::min(t, row_length);
}

RowLayout make_row_layout(const Partition& p) {
    const Shape& s = p.shape;
    const auto& b = p.block;
    const auto key = p.key_extents();
    RowLayout r;
    int64_t h_rows = 1;  // rows per row group along h (Lanes over lines: all H lines)
    if (b[2] == s.H && b[3] == s.W) {
        r.mode = RowMode::Whole;  // whole planes
        r.row_length = s.H * s.W;
    } else if (b[2] == 1 && b[3] == 1) {
        r.mode = RowMode::Lanes;  // planes, lane-wise
        r.row_length = s.H * s.W;
    } else if (b[2] == 1 && b[3] == s.W) {
        r.mode = RowMode::Whole;  // whole lines; one row group per line h
        r.row_length = s.W;
        r.rows_per_plane = s.H;
        r.key_h = s.H;
    } else if (b[2] == s.H && b[3] == 1) {
        r.mode = RowMode::Lanes;  // lines, lane-wise over w; the H lines reduce together
        r.row_length = s.W;
        r.rows_per_plane = s.H;
        h_rows = s.H;
    } else {
        r.mode = RowMode::Generic;
        return r;
    }
    r.key_c = key[1];
    r.block_n = b[0];
    r.block_c = b[1];
    r.C = s.C;
    r.row_groups = key[0] * key[1] * r.key_h;
    r.rows_per_group = b[0] * b[1] * h_rows;
    r.row_offset.reserve(static_cast<size_t>(r.rows_per_group));
    r.row_channel.reserve(static_cast<size_t>(r.rows_per_group));
    for (int64_t n = 0; n < b[0]; ++n)
        for (int64_t c = 0; c < b[1]; ++c)
            for (int64_t h = 0; h < h_rows; ++h) {
                r.row_offset.push_back(((n * s.C + c) * r.rows_per_plane + h) * r.row_length);
                r.row_channel.push_back(c);
            }
    return r;
}

bool whole_by_group(const RowLayout& layout, int threads) {
    return layout.row_groups >= 4 * static_cast<int64_t>(threads);
}

bool whole_in_waves(const RowLayout& layout, int threads) {
    return threads >= 2 && !whole_by_group(layout, threads) && layout.group_size() * 4 <= threads * item_bytes();
}

int64_t groups_per_item(const RowLayout& layout, int threads) {
    const int64_t bytes = std::max<int64_t>(layout.group_size() * 4, 1);
    const int64_t share = (layout.row_groups + kItemsPerThread * threads - 1) / (kItemsPerThread * threads);
    return std::max<int64_t>(1, std::min(item_bytes() / 2 / bytes, share));
}

namespace {

// Sums of d = x - shift and of d^2 over a run of n values, into eight lanes each: element i
// of the run goes to lane i % 8 (s1[i % 8], s2[i % 8]). Eight independent chains vectorize
// without reassociating (no -ffast-math); the lanes are added in a fixed tree at the end.
// AVX-512 holds the eight lanes in one register and AVX2 in two, with the same chains, so a
// wider path costs no bit. Each lane is one dependent chain of additions, so a piece is
// summed at most 8 values per addition latency on any path: add_shifted2_as sums two pieces
// at once (each its own lanes) for more speed at the same bits; more lanes in a piece would
// change every sum. A line at `ahead` is prefetched per line summed (ahead[0, n) in all):
// spread over the sums, so that a burst of prefetches does not stall the core.
template <class Q>
NORMVIZ_INLINE void add_shifted_as(const float* x, int64_t n, double shift, double* s1, double* s2,
                                   const float* ahead) {
    const Q sh = quad_splat<Q>(shift);
    int64_t i = 0;
    if constexpr (kWidth<Q> == 8) {  // the eight lanes in one register
        Q a = quad_load<Q>(s1), q = quad_load<Q>(s2);
        for (; i + 8 <= n; i += 8) {
            if ((i & 15) == 0) __builtin_prefetch(ahead + i, 0, 2);
            const Q u = quad_load<Q>(x + i) - sh;
            a = a + u;
            q = q + u * u;
        }
        quad_store(s1, a), quad_store(s2, q);
    } else {  // lanes 0-3 and 4-7 in two registers
        Q a0 = quad_load<Q>(s1), a1 = quad_load<Q>(s1 + 4);
        Q q0 = quad_load<Q>(s2), q1 = quad_load<Q>(s2 + 4);
        for (; i + 8 <= n; i += 8) {
            if ((i & 15) == 0) __builtin_prefetch(ahead + i, 0, 2);
            const Q u = quad_load<Q>(x + i) - sh, v = quad_load<Q>(x + i + 4) - sh;
            a0 = a0 + u;
            a1 = a1 + v;
            q0 = q0 + u * u;
            q1 = q1 + v * v;
        }
        quad_store(s1, a0), quad_store(s1 + 4, a1);
        quad_store(s2, q0), quad_store(s2 + 4, q1);
    }
    for (int l = 0; i < n; ++i, ++l) {
        const double d = static_cast<double>(x[i]) - shift;
        s1[l] += d;
        s2[l] += d * d;
    }
}

// add_shifted_as over two runs of n values (a multiple of 8) at once, each into its own lanes:
// twice the independent chains, so the additions' latency is hidden (LayerNorm's statistics
// on one core of a Xeon: 0.88x -> 0.68x the time of a copy). The bits are those of two
// add_shifted_as calls (x_ahead and y_ahead are their `ahead`).
template <class Q>
NORMVIZ_INLINE void add_shifted2_as(const float* x, const float* y, int64_t n, double x_shift, double y_shift,
                                    double* x1, double* x2, double* y1, double* y2, const float* x_ahead,
                                    const float* y_ahead) {
    const Q xs = quad_splat<Q>(x_shift), ys = quad_splat<Q>(y_shift);
    if constexpr (kWidth<Q> == 8) {
        Q a = quad_load<Q>(x1), q = quad_load<Q>(x2), b = quad_load<Q>(y1), r = quad_load<Q>(y2);
        for (int64_t i = 0; i + 8 <= n; i += 8) {
            if ((i & 15) == 0) __builtin_prefetch(x_ahead + i, 0, 2), __builtin_prefetch(y_ahead + i, 0, 2);
            const Q u = quad_load<Q>(x + i) - xs, v = quad_load<Q>(y + i) - ys;
            a = a + u;
            b = b + v;
            q = q + u * u;
            r = r + v * v;
        }
        quad_store(x1, a), quad_store(x2, q), quad_store(y1, b), quad_store(y2, r);
    } else {
        Q a0 = quad_load<Q>(x1), a1 = quad_load<Q>(x1 + 4), q0 = quad_load<Q>(x2), q1 = quad_load<Q>(x2 + 4);
        Q b0 = quad_load<Q>(y1), b1 = quad_load<Q>(y1 + 4), r0 = quad_load<Q>(y2), r1 = quad_load<Q>(y2 + 4);
        for (int64_t i = 0; i + 8 <= n; i += 8) {
            if ((i & 15) == 0) __builtin_prefetch(x_ahead + i, 0, 2), __builtin_prefetch(y_ahead + i, 0, 2);
            const Q u0 = quad_load<Q>(x + i) - xs, u1 = quad_load<Q>(x + i + 4) - xs;
            const Q v0 = quad_load<Q>(y + i) - ys, v1 = quad_load<Q>(y + i + 4) - ys;
            a0 = a0 + u0, a1 = a1 + u1, b0 = b0 + v0, b1 = b1 + v1;
            q0 = q0 + u0 * u0, q1 = q1 + u1 * u1, r0 = r0 + v0 * v0, r1 = r1 + v1 * v1;
        }
        quad_store(x1, a0), quad_store(x1 + 4, a1), quad_store(x2, q0), quad_store(x2 + 4, q1);
        quad_store(y1, b0), quad_store(y1 + 4, b1), quad_store(y2, r0), quad_store(y2 + 4, r1);
    }
}

// Lanes mode: adds rows [r0, r1) of a tile to per-lane sums of d = x - shift[p] and d^2,
// kRowsAtOnce rows at a time so that each lane's sums stay in registers across them (each
// lane still adds its rows in order, so the bits depend neither on kRowsAtOnce nor on how
// many lanes a register holds).
inline constexpr int kRowsAtOnce = 8;
template <class Q>
NORMVIZ_INLINE void add_rows_as(const int64_t* row_offset, const float* base, int64_t r0, int64_t r1, int64_t lanes,
                                const double* shift, double* s1, double* s2) {
    int64_t j = r0;
    for (; j + kRowsAtOnce <= r1; j += kRowsAtOnce) {
        const float* rows[kRowsAtOnce];
        const float* ahead[kRowsAtOnce];
        // Prefetched: the next block's rows at the same lanes (rows far apart in memory, where
        // the hardware prefetcher does not look), or, in the last block, further along these
        // rows. LayerNorm over C read its statistics in 0.85-0.94x the time of always
        // prefetching further along the same rows.
        const bool next_block = j + 2 * kRowsAtOnce <= r1;
        for (int r = 0; r < kRowsAtOnce; ++r) {
            rows[r] = base + row_offset[j + r];
            ahead[r] = next_block ? base + row_offset[j + kRowsAtOnce + r] : rows[r] + kPrefetchAhead;
        }
        int64_t p = 0;
        for (; p + kWidth<Q> <= lanes; p += kWidth<Q>) {
            if ((p & 15) == 0)
                for (const float* x : ahead) __builtin_prefetch(x + p);
            const Q sh = quad_load<Q>(shift + p);
            Q a = quad_load<Q>(s1 + p), q = quad_load<Q>(s2 + p);
            for (const float* x : rows) {
                const Q d = quad_load<Q>(x + p) - sh;
                a = a + d;
                q = q + d * d;
            }
            quad_store(s1 + p, a);
            quad_store(s2 + p, q);
        }
        for (; p < lanes; ++p) {
            for (const float* x : rows) {
                const double d = static_cast<double>(x[p]) - shift[p];
                s1[p] += d;
                s2[p] += d * d;
            }
        }
    }
    for (; j < r1; ++j) {
        const float* x = base + row_offset[j];
        for (int64_t p = 0; p < lanes; ++p) {
            const double d = static_cast<double>(x[p]) - shift[p];
            s1[p] += d;
            s2[p] += d * d;
        }
    }
}

#if NORMVIZ_SIMD_DISPATCH
NORMVIZ_TARGET_AVX2 void add_shifted_avx2(const float* x, int64_t n, double shift, double* s1, double* s2,
                                          const float* ahead) {
    add_shifted_as<Double4>(x, n, shift, s1, s2, ahead);
}
NORMVIZ_TARGET_AVX2 void add_rows_avx2(const int64_t* row_offset, const float* base, int64_t r0, int64_t r1,
                                       int64_t lanes, const double* shift, double* s1, double* s2) {
    add_rows_as<Double4>(row_offset, base, r0, r1, lanes, shift, s1, s2);
}
NORMVIZ_TARGET_AVX512 void add_shifted_avx512(const float* x, int64_t n, double shift, double* s1, double* s2,
                                              const float* ahead) {
    add_shifted_as<Double8>(x, n, shift, s1, s2, ahead);
}
NORMVIZ_TARGET_AVX2 void add_shifted2_avx2(const float* x, const float* y, int64_t n, double x_shift, double y_shift,
                                           double* x1, double* x2, double* y1, double* y2, const float* x_ahead,
                                           const float* y_ahead) {
    add_shifted2_as<Double4>(x, y, n, x_shift, y_shift, x1, x2, y1, y2, x_ahead, y_ahead);
}
NORMVIZ_TARGET_AVX512 void add_shifted2_avx512(const float* x, const float* y, int64_t n, double x_shift,
                                               double y_shift, double* x1, double* x2, double* y1, double* y2,
                                               const float* x_ahead, const float* y_ahead) {
    add_shifted2_as<Double8>(x, y, n, x_shift, y_shift, x1, x2, y1, y2, x_ahead, y_ahead);
}
NORMVIZ_TARGET_AVX512 void add_rows_avx512(const int64_t* row_offset, const float* base, int64_t r0, int64_t r1,
                                           int64_t lanes, const double* shift, double* s1, double* s2) {
    add_rows_as<Double8>(row_offset, base, r0, r1, lanes, shift, s1, s2);
}
#endif

void add_shifted(const float* x, int64_t n, double shift, double* s1, double* s2, const float* ahead) {
#if NORMVIZ_SIMD_DISPATCH
    switch (simd_path()) {
        case SimdPath::Avx512: return add_shifted_avx512(x, n, shift, s1, s2, ahead);
        case SimdPath::Avx2: return add_shifted_avx2(x, n, shift, s1, s2, ahead);
        case SimdPath::Baseline: break;
    }
#endif
    add_shifted_as<Quad2>(x, n, shift, s1, s2, ahead);
}

void add_shifted2(const float* x, const float* y, int64_t n, double x_shift, double y_shift, double* x1, double* x2,
                  double* y1, double* y2, const float* x_ahead, const float* y_ahead) {
#if NORMVIZ_SIMD_DISPATCH
    switch (simd_path()) {
        case SimdPath::Avx512: return add_shifted2_avx512(x, y, n, x_shift, y_shift, x1, x2, y1, y2, x_ahead, y_ahead);
        case SimdPath::Avx2: return add_shifted2_avx2(x, y, n, x_shift, y_shift, x1, x2, y1, y2, x_ahead, y_ahead);
        case SimdPath::Baseline: break;
    }
#endif
    add_shifted2_as<Quad2>(x, y, n, x_shift, y_shift, x1, x2, y1, y2, x_ahead, y_ahead);
}

void add_rows(const RowLayout& layout, const float* base, int64_t r0, int64_t r1, int64_t lanes, const double* shift,
              double* s1, double* s2) {
    const int64_t* offsets = layout.row_offset.data();
#if NORMVIZ_SIMD_DISPATCH
    switch (simd_path()) {
        case SimdPath::Avx512: return add_rows_avx512(offsets, base, r0, r1, lanes, shift, s1, s2);
        case SimdPath::Avx2: return add_rows_avx2(offsets, base, r0, r1, lanes, shift, s1, s2);
        case SimdPath::Baseline: break;
    }
#endif
    add_rows_as<Quad2>(offsets, base, r0, r1, lanes, shift, s1, s2);
}

// Lanes mode, groups of one piece: every lane's mean, variance and mean square from its
// shifted sums over its n rows, the arithmetic of shifted_moments and then of
// merge_moments_raw over that one part, in the same order, lane by lane in a loop that the
// compiler vectorizes (no reassociation: each lane gets the bits of the scalar code). The
// scalar divisions were 40 % of LayerNorm over C's time at C = 32. Lanes whose sums are not
// finite get values the caller replaces.
NORMVIZ_INLINE void one_piece_lane_stats_as(int64_t n, const double* __restrict shift, const double* __restrict s1,
                                            const double* __restrict s2, int64_t lanes, double* __restrict mean,
                                            double* __restrict var, double* __restrict mean_sq) {
    const double count = static_cast<double>(n);
    for (int64_t p = 0; p < lanes; ++p) {
        const double sum = count * shift[p] + s1[p];
        const double piece_mean = shift[p] + s1[p] / count;
        const double dev = s2[p] - s1[p] * (s1[p] / count);
        // std::max(0.0, dev) without a branch, which GCC would not vectorize: dev + |dev| is
        // exactly 2 dev or +0.0, and halving 2 dev is exact.
        const double m2 = (dev + std::fabs(dev)) * 0.5;
        const double sum_sq = s2[p] + shift[p] * (2.0 * s1[p] + count * shift[p]);
        const double group_mean = (0.0 + sum) / count;
        const double d = piece_mean - group_mean;
        mean[p] = group_mean;
        var[p] = ((0.0 + m2) + (0.0 + count * (d * d))) / count;
        mean_sq[p] = (0.0 + sum_sq) / count;
    }
}

#if NORMVIZ_SIMD_DISPATCH
NORMVIZ_TARGET_AVX2 void one_piece_lane_stats_avx2(int64_t n, const double* shift, const double* s1, const double* s2,
                                                   int64_t lanes, double* mean, double* var, double* mean_sq) {
    one_piece_lane_stats_as(n, shift, s1, s2, lanes, mean, var, mean_sq);
}
NORMVIZ_TARGET_AVX512 void one_piece_lane_stats_avx512(int64_t n, const double* shift, const double* s1,
                                                       const double* s2, int64_t lanes, double* mean, double* var,
                                                       double* mean_sq) {
    one_piece_lane_stats_as(n, shift, s1, s2, lanes, mean, var, mean_sq);
}
#endif

void one_piece_lane_stats(int64_t n, const double* shift, const double* s1, const double* s2, int64_t lanes,
                          double* mean, double* var, double* mean_sq) {
#if NORMVIZ_SIMD_DISPATCH
    switch (simd_path()) {
        case SimdPath::Avx512: return one_piece_lane_stats_avx512(n, shift, s1, s2, lanes, mean, var, mean_sq);
        case SimdPath::Avx2: return one_piece_lane_stats_avx2(n, shift, s1, s2, lanes, mean, var, mean_sq);
        case SimdPath::Baseline: break;
    }
#endif
    one_piece_lane_stats_as(n, shift, s1, s2, lanes, mean, var, mean_sq);
}

double lane_total(const double* v) { return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])); }

// Moments from the shifted sums of n values; nullopt-like `false` when they are not finite.
bool shifted_moments(int64_t n, double shift, double s1, double s2, Moments& m) {
    if (!std::isfinite(s1) || !std::isfinite(s2)) return false;
    const double count = static_cast<double>(n);
    m.count = n;
    m.sum = count * shift + s1;
    m.mean = shift + s1 / count;
    m.m2 = std::max(0.0, s2 - s1 * (s1 / count));
    m.sum_sq = s2 + shift * (2.0 * s1 + count * shift);
    return true;
}

// Exact two-pass moments of values visited by for_each(f), f(double x); for pieces holding
// NaN or Inf, where the shifted form would turn +Inf into NaN.
template <class ForEach>
Moments exact_moments(int64_t n, ForEach&& for_each) {
    Moments m;
    m.count = n;
    for_each([&](double v) {
        m.sum += v;
        m.sum_sq += v * v;
    });
    m.mean = m.sum / static_cast<double>(n);
    for_each([&](double v) {
        const double d = v - m.mean;
        m.m2 += d * d;
    });
    return m;
}

}  // namespace

namespace {

// One Whole-mode piece being summed, a contiguous run (its values in one row) at a time.
struct PieceSums {
    const RowLayout& layout;
    const float* x;
    int64_t k, base, begin, next, end;
    int64_t run_offset = 0, run_left = 0;  // the run being summed
    const float* ahead = nullptr;          // the next row's values not yet prefetched
    int64_t ahead_left = 0;
    double shift = 0;
    double s1[8] = {}, s2[8] = {};

    PieceSums(const RowLayout& l, const float* values, int64_t group, int64_t piece)
        : layout(l),
          x(values),
          k(group),
          base(l.first_offset(group)),
          begin(piece * kPieceLength),
          next(begin),
          end(std::min(begin + kPieceLength, l.group_size())) {}

    bool done() const { return next == end; }
    void start_run() {  // where run_left == 0 and not done()
        const int64_t L = layout.row_length, j = next / L, col = next % L;
        const size_t r = static_cast<size_t>(j);
        run_offset = base + layout.row_offset[r] + col;
        run_left = std::min(L - col, end - next);
        if (next == begin) shift = x[run_offset];
        ahead_left = 0;
        if (col == 0 && j + 1 < layout.rows_per_group &&
            layout.row_offset[r + 1] != layout.row_offset[r] + layout.row_length) {
            // The next row is elsewhere in memory (BatchNorm: a channel's next plane), where
            // the hardware prefetcher will not look: fetch up to a piece of it into L2 while
            // this row is summed (6.7 instead of 8-10 ms for BatchNorm), a line per line
            // summed (take_ahead): issued all at once, the prefetches stalled the core.
            ahead = x + base + layout.row_offset[r + 1];
            ahead_left = std::min<int64_t>(layout.row_length, kPieceLength);
        }
    }
    // Where the kernels prefetch (a line per line summed) while the run's next n values are
    // summed: the next row's values start_run chose, or, with none left, these values.
    const float* take_ahead(int64_t n) {
        if (ahead_left <= 0) return x + run_offset;
        const float* p = ahead;
        const int64_t m = std::min(n, ahead_left);
        ahead += m, ahead_left -= m;
        return p;
    }
    void advance(int64_t n) { run_offset += n, run_left -= n, next += n; }
    void add(int64_t n) {  // the run's next n values: a multiple of 8, or the run's end
        add_shifted(x + run_offset, n, shift, s1, s2, take_ahead(n));
        advance(n);
    }
    Moments moments() const {
        Moments m;
        if (shifted_moments(end - begin, shift, lane_total(s1), lane_total(s2), m)) return m;
        return exact_moments(end - begin, [&](auto&& f) {
            for_each_segment(layout, k, begin, end, [&](int64_t, int64_t offset, int64_t n) {
                for (int64_t i = 0; i < n; ++i) f(static_cast<double>(x[offset + i]));
            });
        });
    }
};

// Sums two pieces at once, each run against the other's: runs of different lengths are
// summed together up to the shorter one's last multiple of 8, whose rest (fewer than 8
// values, the end of its run) is summed alone; every value keeps the lane it has alone.
void sum_two_pieces(PieceSums& a, PieceSums& b) {
    while (!a.done() || !b.done()) {
        if (!a.done() && a.run_left == 0) a.start_run();
        if (!b.done() && b.run_left == 0) b.start_run();
        if (a.done() || b.done()) {
            PieceSums& rest = a.done() ? b : a;
            rest.add(rest.run_left);
            continue;
        }
        const int64_t n = std::min(a.run_left, b.run_left) / 8 * 8;
        if (n > 0) {
            add_shifted2(a.x + a.run_offset, b.x + b.run_offset, n, a.shift, b.shift, a.s1, a.s2, b.s1, b.s2,
                         a.take_ahead(n), b.take_ahead(n));
            a.advance(n);
            b.advance(n);
        }
        if (a.run_left < 8) a.add(a.run_left);
        if (b.run_left < 8) b.add(b.run_left);
    }
}

}  // namespace

Moments whole_piece_moments(const RowLayout& layout, const float* x, int64_t k, int64_t piece) {
    PieceSums p(layout, x, k, piece);
    while (!p.done()) {
        p.start_run();
        p.add(p.run_left);
    }
    return p.moments();
}

void whole_pieces_moments(const RowLayout& layout, const float* x, int64_t first, int64_t count, Moments* out) {
    const int64_t pieces = layout.whole_pieces();
    int64_t j = 0;
    for (; j + 2 <= count; j += 2) {
        const int64_t i = first + j;
        PieceSums a(layout, x, i / pieces, i % pieces), b(layout, x, (i + 1) / pieces, (i + 1) % pieces);
        sum_two_pieces(a, b);
        out[j] = a.moments();
        out[j + 1] = b.moments();
    }
    if (j < count) out[j] = whole_piece_moments(layout, x, (first + j) / pieces, (first + j) % pieces);
}

void whole_groups_stats(const RowLayout& layout, const float* x, int64_t k0, int64_t k1, std::vector<Moments>& parts,
                        GroupStats* out) {
    const int64_t pieces = layout.whole_pieces();
    parts.resize(static_cast<size_t>((k1 - k0) * pieces));
    whole_pieces_moments(layout, x, k0 * pieces, (k1 - k0) * pieces, parts.data());
    for (int64_t k = k0; k < k1; ++k)
        out[k - k0] = merge_moments(&parts[static_cast<size_t>((k - k0) * pieces)], pieces, 1, layout.group_size());
}

namespace {
GroupStats merge_moments_raw(const Moments* parts, int64_t count, int64_t stride, int64_t group_size);
void canonical_nans(GroupStats* g, int64_t count);
}  // namespace

void lane_tile_stats(const RowLayout& layout, const float* x, int64_t k, int64_t lane0, int64_t lanes,
                     int64_t group_size, GroupStats* out) {
    const int64_t pieces = layout.row_pieces();
    const int64_t R = layout.rows_per_group;
    const float* base = x + layout.first_offset(k) + lane0;
    std::vector<double> shift_v(static_cast<size_t>(lanes)), s1_v(shift_v.size()), s2_v(shift_v.size());
    double* shift = shift_v.data();
    double* s1 = s1_v.data();
    double* s2 = s2_v.data();
    // Every lane's shifted sums over rows [r0, r1), shifted by its value in row r0.
    const auto sum_rows = [&](int64_t r0, int64_t r1) {
        const float* first = base + layout.row_offset[static_cast<size_t>(r0)];
        for (int64_t p = 0; p < lanes; ++p) shift[p] = first[p], s1[p] = 0, s2[p] = 0;
        add_rows(layout, base, r0, r1, lanes, shift, s1, s2);
    };
    // The exact two-pass moments of lane p over rows [r0, r1), for sums that are not finite.
    const auto exact_lane = [&](int64_t p, int64_t r0, int64_t r1) {
        return exact_moments(r1 - r0, [&](auto&& f) {
            for (int64_t j = r0; j < r1; ++j)
                f(static_cast<double>(base[layout.row_offset[static_cast<size_t>(j)] + p]));
        });
    };
    if (pieces == 1) {  // one piece per lane: no merge, the statistics straight from the sums
        sum_rows(0, R);
        std::vector<double> result(static_cast<size_t>(3 * lanes));
        double* mean = result.data();
        double* var = mean + lanes;
        double* mean_sq = var + lanes;
        one_piece_lane_stats(R, shift, s1, s2, lanes, mean, var, mean_sq);
        for (int64_t p = 0; p < lanes; ++p) {
            if (std::isfinite(s1[p]) && std::isfinite(s2[p])) {
                out[p] = {group_size, mean[p], var[p], mean_sq[p]};
            } else {
                const Moments m = exact_lane(p, 0, R);
                out[p] = merge_moments_raw(&m, 1, 1, group_size);
            }
        }
        canonical_nans(out, lanes);
        return;
    }
    std::vector<Moments> parts(static_cast<size_t>(pieces * lanes));
    for (int64_t q = 0; q < pieces; ++q) {
        const int64_t r0 = q * kPieceRows, r1 = std::min(R, r0 + kPieceRows);
        sum_rows(r0, r1);
        for (int64_t p = 0; p < lanes; ++p) {
            Moments& m = parts[static_cast<size_t>(q * lanes + p)];
            if (!shifted_moments(r1 - r0, shift[p], s1[p], s2[p], m)) m = exact_lane(p, r0, r1);
        }
    }
    for (int64_t p = 0; p < lanes; ++p)
        out[p] = merge_moments_raw(&parts[static_cast<size_t>(p)], pieces, lanes, group_size);
    canonical_nans(out, lanes);
}

namespace {

GroupStats merge_moments_raw(const Moments* parts, int64_t count, int64_t stride, int64_t group_size) {
    double sum = 0, sum_sq = 0, m2 = 0, between = 0;
    for (int64_t i = 0; i < count; ++i) {
        sum += parts[i * stride].sum;
        sum_sq += parts[i * stride].sum_sq;
        m2 += parts[i * stride].m2;
    }
    const double n = static_cast<double>(group_size);
    const double mean = sum / n;
    for (int64_t i = 0; i < count; ++i) {
        const Moments& m = parts[i * stride];
        const double d = m.mean - mean;
        between += static_cast<double>(m.count) * (d * d);
    }
    GroupStats g;
    g.count = group_size;
    g.mean = mean;
    g.var = (m2 + between) / n;
    g.mean_sq = sum_sq / n;
    return g;
}

// A NaN's sign follows the operand order the compiler picked for each copy of the code (x86
// keeps the first NaN operand's), which differs between the places the kernels are inlined;
// NaN statistics are made the one positive quiet NaN, so that every path gives the same bits.
// A separate loop: tested inside the merge, it cost lane-wise groups 10 % in cache.
void canonical_nans(GroupStats* g, int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
        if (!std::isnan(g[i].mean + g[i].var + g[i].mean_sq)) continue;
        for (double* v : {&g[i].mean, &g[i].var, &g[i].mean_sq})
            if (std::isnan(*v)) *v = std::numeric_limits<double>::quiet_NaN();
    }
}

}  // namespace

GroupStats merge_moments(const Moments* parts, int64_t count, int64_t stride, int64_t group_size) {
    GroupStats g = merge_moments_raw(parts, count, stride, group_size);
    canonical_nans(&g, 1);
    return g;
}

}  // namespace detail

namespace {

// Partitions whose H or W blocks are neither 1 nor the extent (none of the presets): one
// thread, two passes, each element sent to its group's accumulator in memory order.
// Also every float64 tensor's statistics, from its exact values.
template <class T>
std::vector<GroupStats> generic_stats(const T* data, const Partition& p) {
    const size_t groups = static_cast<size_t>(p.group_count());
    std::vector<double> sum(groups, 0.0), sum_sq(groups, 0.0), dev_sq(groups, 0.0);
    const int64_t numel = p.shape.numel();
    for (int64_t f = 0; f < numel; ++f) {
        const double v = data[static_cast<size_t>(f)];
        const size_t g = static_cast<size_t>(p.group_of_flat(f));
        sum[g] += v;
        sum_sq[g] += v * v;
    }
    const double count = static_cast<double>(p.group_size());
    for (int64_t f = 0; f < numel; ++f) {
        const size_t g = static_cast<size_t>(p.group_of_flat(f));
        const double d = data[static_cast<size_t>(f)] - sum[g] / count;
        dev_sq[g] += d * d;
    }
    std::vector<GroupStats> stats(groups);
    for (size_t g = 0; g < groups; ++g)
        stats[g] = {p.group_size(), sum[g] / count, dev_sq[g] / count, sum_sq[g] / count};
    return stats;
}

}  // namespace

std::vector<GroupStats> compute_group_stats(const Tensor& tensor, const Partition& partition, int threads) {
    using namespace detail;
    NORMVIZ_ASSERT(tensor.shape == partition.shape, "partition made for another shape");
    NORMVIZ_ASSERT(static_cast<int64_t>(tensor.data.size()) == tensor.shape.numel(),
                   "tensor data size does not match its shape");
    if (tensor.has_exact64()) return generic_stats(tensor.data64.data(), partition);
    const RowLayout layout = make_row_layout(partition);
    if (layout.mode == RowMode::Generic) return generic_stats(tensor.data.data(), partition);

    const int t = resolve_threads(threads, tensor.shape.numel());
    const float* x = tensor.data.data();
    std::vector<GroupStats> stats(static_cast<size_t>(partition.group_count()));
    if (layout.mode == RowMode::Lanes) {
        const int64_t tile = layout.lane_tile(t), tiles = layout.lane_tiles(t);
        parallel_for(layout.row_groups * tiles, t, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                const int64_t k = i / tiles, lane0 = (i % tiles) * tile;
                lane_tile_stats(layout, x, k, lane0, std::min(tile, layout.row_length - lane0), layout.rows_per_group,
                                &stats[static_cast<size_t>(k * layout.row_length + lane0)]);
            }
        });
        return stats;
    }
    const int64_t pieces = layout.whole_pieces(), size = layout.group_size();
    if (whole_by_group(layout, t)) {
        const int64_t per_item = groups_per_item(layout, t);
        const int64_t items = (layout.row_groups + per_item - 1) / per_item;
        parallel_for(items, t, [&](int64_t begin, int64_t end) {
            std::vector<Moments> parts;
            for (int64_t item = begin; item < end; ++item) {
                const int64_t k0 = item * per_item, k1 = std::min(k0 + per_item, layout.row_groups);
                whole_groups_stats(layout, x, k0, k1, parts, &stats[static_cast<size_t>(k0)]);
            }
        });
        return stats;
    }
    // Work items of two pieces, which whole_pieces_moments sums together.
    const int64_t total = layout.row_groups * pieces;
    std::vector<Moments> parts(static_cast<size_t>(total));
    parallel_for((total + 1) / 2, t, [&](int64_t begin, int64_t end) {
        const int64_t first = 2 * begin, last = std::min(2 * end, total);
        whole_pieces_moments(layout, x, first, last - first, &parts[static_cast<size_t>(first)]);
    });
    for (int64_t k = 0; k < layout.row_groups; ++k)
        stats[static_cast<size_t>(k)] = merge_moments(&parts[static_cast<size_t>(k * pieces)], pieces, 1, size);
    return stats;
}

}  // namespace normviz::core
