// Value ranges: a radix select for tensor-wide percentiles, nth_element per channel.
#include "core/value_range.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/assert.h"
#include "core/parallel.h"

namespace normviz::core {

namespace {

constexpr int kRadixBits = 16;
constexpr size_t kBuckets = size_t{1} << kRadixBits;
// Chunks of at most 2^30 values, so 32-bit counts never overflow.
constexpr int64_t kMaxChunk = int64_t{1} << 30;

uint32_t bits_of(float v) {
    uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    return u;
}

bool finite_bits(uint32_t u) { return (u & 0x7f800000u) != 0x7f800000u; }

// Unsigned keys in the order of the floats they come from (negative floats reversed).
uint32_t order_key(uint32_t u) { return (u & 0x80000000u) ? ~u : (u | 0x80000000u); }

float float_of_key(uint32_t key) {
    const uint32_t u = (key & 0x80000000u) ? (key & 0x7fffffffu) : ~key;
    float v;
    std::memcpy(&v, &u, sizeof v);
    return v;
}

// Bucket holding rank `rank` of the histogram, and the rank left inside it.
void find_rank(const std::vector<uint64_t>& counts, int64_t rank, uint32_t& bucket, int64_t& rest) {
    int64_t seen = 0;
    for (size_t b = 0; b < counts.size(); ++b) {
        const int64_t next = seen + static_cast<int64_t>(counts[b]);
        if (rank < next) {
            bucket = static_cast<uint32_t>(b);
            rest = rank - seen;
            return;
        }
        seen = next;
    }
    NORMVIZ_ASSERT(false, "rank beyond the finite values");
}

}  // namespace

double percentile_in_place(std::vector<float>& values, double q) {
    NORMVIZ_ASSERT(!values.empty(), "percentile of no values");
    const size_t n = values.size();
    const double pos = std::clamp(q, 0.0, 100.0) / 100.0 * static_cast<double>(n - 1);
    const size_t r0 = std::min(n - 1, static_cast<size_t>(pos));
    const double frac = pos - static_cast<double>(r0);
    std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(r0), values.end());
    const double a = values[r0];
    if (frac == 0 || r0 + 1 >= n) return a;
    // After nth_element everything past r0 is >= values[r0]: rank r0 + 1 is their minimum.
    const double b = *std::min_element(values.begin() + static_cast<ptrdiff_t>(r0) + 1, values.end());
    return a + (b - a) * frac;
}

std::vector<float> finite_order_statistics(const float* data, int64_t count, const std::vector<int64_t>& ranks,
                                           int threads) {
    if (ranks.empty()) return {};
    threads = resolve_threads(threads, count, int64_t{1} << 18);
    const int64_t chunks = std::max<int64_t>(threads, (count + kMaxChunk - 1) / kMaxChunk);
    const int64_t chunk_size = (count + chunks - 1) / chunks;
    auto chunk_range = [&](int64_t k, int64_t& begin, int64_t& end) {
        begin = std::min(count, k * chunk_size);
        end = std::min(count, begin + chunk_size);
    };

    // Pass 1: how many finite values fall in each bucket of the high 16 key bits.
    std::vector<std::vector<uint32_t>> partial(static_cast<size_t>(chunks));
    parallel_for(chunks, threads, [&](int64_t k0, int64_t k1) {
        for (int64_t k = k0; k < k1; ++k) {
            std::vector<uint32_t>& h = partial[static_cast<size_t>(k)];
            h.assign(kBuckets, 0);
            int64_t begin, end;
            chunk_range(k, begin, end);
            for (int64_t i = begin; i < end; ++i) {
                const uint32_t u = bits_of(data[i]);
                if (finite_bits(u)) ++h[order_key(u) >> kRadixBits];
            }
        }
    });
    std::vector<uint64_t> high(kBuckets, 0);
    for (const auto& h : partial)
        for (size_t b = 0; b < kBuckets; ++b) high[b] += h[b];

    std::vector<uint32_t> rank_bucket(ranks.size());
    std::vector<int64_t> rank_rest(ranks.size());
    std::vector<uint32_t> buckets;  // distinct buckets a rank falls in
    for (size_t r = 0; r < ranks.size(); ++r) {
        find_rank(high, ranks[r], rank_bucket[r], rank_rest[r]);
        if (std::find(buckets.begin(), buckets.end(), rank_bucket[r]) == buckets.end())
            buckets.push_back(rank_bucket[r]);
    }

    // Pass 2: the low 16 key bits of the values inside those buckets.
    const size_t nb = buckets.size();
    parallel_for(chunks, threads, [&](int64_t k0, int64_t k1) {
        for (int64_t k = k0; k < k1; ++k) {
            std::vector<uint32_t>& h = partial[static_cast<size_t>(k)];
            h.assign(kBuckets * nb, 0);
            int64_t begin, end;
            chunk_range(k, begin, end);
            for (int64_t i = begin; i < end; ++i) {
                const uint32_t u = bits_of(data[i]);
                if (!finite_bits(u)) continue;
                const uint32_t key = order_key(u), top = key >> kRadixBits;
                for (size_t j = 0; j < nb; ++j)
                    if (top == buckets[j]) {
                        ++h[j * kBuckets + (key & (kBuckets - 1))];
                        break;
                    }
            }
        }
    });
    std::vector<float> out(ranks.size());
    std::vector<uint64_t> low(kBuckets);
    for (size_t j = 0; j < nb; ++j) {
        std::fill(low.begin(), low.end(), 0);
        for (const auto& h : partial)
            for (size_t b = 0; b < kBuckets; ++b) low[b] += h[j * kBuckets + b];
        for (size_t r = 0; r < ranks.size(); ++r) {
            if (rank_bucket[r] != buckets[j]) continue;
            uint32_t bottom = 0;
            int64_t unused = 0;
            find_rank(low, rank_rest[r], bottom, unused);
            out[r] = float_of_key((buckets[j] << kRadixBits) | bottom);
        }
    }
    return out;
}

ValueSummary summarize_values(const Tensor& tensor, int threads) {
    ValueSummary s;
    const Shape& shape = tensor.shape;
    const float* data = tensor.data.data();
    const int64_t count = static_cast<int64_t>(tensor.data.size());
    if (count == 0 || count != shape.numel()) return s;
    const int64_t plane = shape.H * shape.W;
    threads = resolve_threads(threads, count);

    // Per channel: gather its finite values (n-major), count the rest, then nth_element.
    struct ChannelCounts {
        int64_t nan = 0, pos_inf = 0, neg_inf = 0;
    };
    s.channels.assign(static_cast<size_t>(shape.C), ValueSpan{});
    std::vector<ChannelCounts> counts(static_cast<size_t>(shape.C));
    parallel_for(shape.C, threads, [&](int64_t c0, int64_t c1) {
        std::vector<float> values;
        for (int64_t c = c0; c < c1; ++c) {
            values.clear();
            ChannelCounts& k = counts[static_cast<size_t>(c)];
            float lo = INFINITY, hi = -INFINITY;
            for (int64_t n = 0; n < shape.N; ++n) {
                const float* p = data + (n * shape.C + c) * plane;
                for (int64_t i = 0; i < plane; ++i) {
                    const float v = p[i];
                    if (std::isnan(v)) {
                        ++k.nan;
                    } else if (std::isinf(v)) {
                        ++(v > 0 ? k.pos_inf : k.neg_inf);
                    } else {
                        values.push_back(v);
                        lo = std::min(lo, v);
                        hi = std::max(hi, v);
                    }
                }
            }
            ValueSpan& span = s.channels[static_cast<size_t>(c)];
            span.count = static_cast<int64_t>(values.size());
            if (values.empty()) continue;
            span.min = lo;
            span.max = hi;
            span.high = percentile_in_place(values, kClipHighPercent);
            span.low = percentile_in_place(values, kClipLowPercent);
        }
    });
    bool any = false;
    for (int64_t c = 0; c < shape.C; ++c) {
        const ValueSpan& span = s.channels[static_cast<size_t>(c)];
        s.nan += counts[static_cast<size_t>(c)].nan;
        s.pos_inf += counts[static_cast<size_t>(c)].pos_inf;
        s.neg_inf += counts[static_cast<size_t>(c)].neg_inf;
        if (span.count == 0) continue;
        s.all.min = any ? std::min(s.all.min, span.min) : span.min;
        s.all.max = any ? std::max(s.all.max, span.max) : span.max;
        s.all.count += span.count;
        any = true;
    }

    if (s.all.count > 0) {
        // numpy's linear percentile: ranks floor(pos) and floor(pos) + 1 of each.
        const int64_t n = s.all.count;
        std::vector<int64_t> ranks;
        std::vector<double> fracs;
        for (double q : {kClipLowPercent, kClipHighPercent}) {
            const double pos = q / 100.0 * static_cast<double>(n - 1);
            const int64_t r0 = std::min(n - 1, static_cast<int64_t>(pos));
            ranks.push_back(r0);
            ranks.push_back(std::min(n - 1, r0 + 1));
            fracs.push_back(pos - static_cast<double>(r0));
        }
        const std::vector<float> v = finite_order_statistics(data, count, ranks, threads);
        s.all.low = v[0] + (static_cast<double>(v[1]) - v[0]) * fracs[0];
        s.all.high = v[2] + (static_cast<double>(v[3]) - v[2]) * fracs[1];
    }

    // The first non-finite positions in memory order; stops early once enough are found.
    if (s.non_finite_count() > 0)
        for (int64_t i = 0; i < count && s.non_finite.size() < kNonFiniteKept; ++i)
            if (!std::isfinite(data[i])) s.non_finite.push_back(i);
    return s;
}

std::optional<Index> next_non_finite(const Tensor& tensor, const Index& after) {
    const int64_t count = static_cast<int64_t>(tensor.data.size());
    if (count == 0 || count != tensor.shape.numel()) return std::nullopt;
    const int64_t start = contains(tensor.shape, after) ? flat_index(tensor.shape, after) + 1 : 0;
    const float* data = tensor.data.data();
    for (int64_t i = start; i < count; ++i)
        if (!std::isfinite(data[i])) return unflat_index(tensor.shape, i);
    for (int64_t i = 0; i < start; ++i)
        if (!std::isfinite(data[i])) return unflat_index(tensor.shape, i);
    return std::nullopt;
}

}  // namespace normviz::core
