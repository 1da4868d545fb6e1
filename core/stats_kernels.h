// Internal to core (stats.cpp, normalize.cpp): a partition's groups seen as contiguous rows of
// memory, and the per-piece moment kernels. Statistics alone, normalization alone and the
// fused statistics-plus-normalization all run these same kernels over the same fixed pieces,
// so they give the same bits whatever the thread count. Not for app/.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/partition.h"
#include "core/simd.h"
#include "core/stats.h"
#include "core/tensor.h"

namespace normviz::core::detail {

// Piece sizes decide results (where sums are cut), so they never depend on threads.
inline constexpr int64_t kPieceLength = 4096;  // Whole rows: elements per piece
inline constexpr int64_t kPieceRows = 256;     // Lanes rows: rows per piece
// Work-item sizes only decide which thread computes which groups, never a number: every
// group's statistics come from its own pieces, whichever item holds them, merged in piece
// order. Items hold about item_bytes() of input (Lanes: a tile of lanes; Whole: a wave's
// share), half of it for Whole mode's batches of groups, so that what a fused item reads a
// second time (to normalize it) is still in the core's L2; they shrink (down to one group, or
// 8 lanes) so that each thread gets kItemsPerThread of them where the tensor allows.
inline constexpr int64_t kItemsPerThread = 2;
// Input bytes per work item: half of l2_cache_bytes() (core/parallel.h), or what
// set_item_bytes_for_testing set.
int64_t item_bytes();
// For tests: item_bytes() returns `bytes` (0: back to half the L2), to check that results do
// not depend on it.
void set_item_bytes_for_testing(int64_t bytes);
inline constexpr int64_t kPrefetchAhead = 512;  // Lanes: floats a row is prefetched ahead

// How the (h, w) plane maps to groups; every partition make_partition builds is one of:
//   Whole: a row (a whole plane, or one line h of a plane) belongs to a single group;
//          batch, layer, instance, group, custom axes that include W.
//   Lanes: element i of a row belongs to group (row group base + i), the rows of a row group
//          reduce lane-wise; layer-token, rms, custom axes without W.
//   Generic: H or W blocks strictly between 1 and the extent (no preset makes these).
enum class RowMode { Whole, Lanes, Generic };

// Rows are runs of row_length contiguous values. A row group is the set of rows that reduce
// together: in Whole mode it is one group (group k), in Lanes mode it is row_length groups
// (k * row_length + i). Rows of a row group are listed in memory order.
struct RowLayout {
    RowMode mode = RowMode::Generic;
    int64_t row_length = 0;            // L, values per row
    int64_t row_groups = 0;            // K
    int64_t rows_per_group = 0;        // R
    std::vector<int64_t> row_offset;   // R offsets (elements) from the row group's first row
    std::vector<int64_t> row_channel;  // R channels relative to the row group's first channel
    // To locate row group k = (kn * KC + kc) * key_h + kh.
    int64_t key_c = 1, key_h = 1, block_n = 1, block_c = 1, C = 1, rows_per_plane = 1;

    int64_t first_offset(int64_t k) const {
        const int64_t kh = k % key_h, kc = (k / key_h) % key_c, kn = k / key_h / key_c;
        return ((kn * block_n * C + kc * block_c) * rows_per_plane + kh) * row_length;
    }
    int64_t first_channel(int64_t k) const { return ((k / key_h) % key_c) * block_c; }
    int64_t group_size() const { return rows_per_group * row_length; }  // Whole mode
    int64_t whole_pieces() const { return (group_size() + kPieceLength - 1) / kPieceLength; }
    int64_t row_pieces() const { return (rows_per_group + kPieceRows - 1) / kPieceRows; }
    // Lanes mode: lanes per work item, a multiple of 8 (or L) sized to item_bytes(), or
    // smaller where that leaves some of `threads` threads without kItemsPerThread items;
    // evened out so that the row's tiles are about equally wide.
    int64_t lane_tile(int threads) const;
    int64_t lane_tiles(int threads) const { return (row_length + lane_tile(threads) - 1) / lane_tile(threads); }
};

RowLayout make_row_layout(const Partition& partition);

// Moments of one piece: count, sum, mean, sum of squared deviations from the mean, sum of
// squares.
struct Moments {
    int64_t count = 0;
    double sum = 0, mean = 0, m2 = 0, sum_sq = 0;
};

// Calls segment(row j, offset in elements, length) for the contiguous runs that make up the
// elements [begin, end) of row group k (its rows concatenated in order).
template <class Segment>
void for_each_segment(const RowLayout& layout, int64_t k, int64_t begin, int64_t end, Segment&& segment) {
    const int64_t L = layout.row_length;
    const int64_t base = layout.first_offset(k);
    int64_t j = begin / L, col = begin % L;
    while (begin < end) {
        const int64_t n = std::min(L - col, end - begin);
        segment(j, base + layout.row_offset[static_cast<size_t>(j)] + col, n);
        begin += n;
        ++j;
        col = 0;
    }
}

// Whole mode: moments of piece `piece` of group k.
Moments whole_piece_moments(const RowLayout& layout, const float* x, int64_t k, int64_t piece);
// Whole mode: moments of `count` consecutive pieces, from piece `first` counted over all
// groups (piece q of group k is k * whole_pieces() + q), into out[0, count); summed two at a
// time, which is faster and gives the same bits as whole_piece_moments of each.
void whole_pieces_moments(const RowLayout& layout, const float* x, int64_t first, int64_t count, Moments* out);
// Whole mode: statistics of groups [k0, k1) into out[0, k1 - k0), from their pieces (summed
// into `parts`, resized as needed) merged in piece order.
void whole_groups_stats(const RowLayout& layout, const float* x, int64_t k0, int64_t k1, std::vector<Moments>& parts,
                        GroupStats* out);

// Lanes mode: statistics of the groups k * L + lane0 ... + lanes - 1 into out[0, lanes).
void lane_tile_stats(const RowLayout& layout, const float* x, int64_t k, int64_t lane0, int64_t lanes,
                     int64_t group_size, GroupStats* out);

// Merges the moments parts[0], parts[stride], ... (count of them) of one group, in order:
// mean = total sum / count; var = (sum of m2 + sum of count_i (mean_i - mean)^2) / count
// (Chan, Golub and LeVeque's pairwise update, in its exact two-level form).
GroupStats merge_moments(const Moments* parts, int64_t count, int64_t stride, int64_t group_size);

// Whole mode with enough groups to give each thread several: work items of whole groups.
bool whole_by_group(const RowLayout& layout, int threads);
// Fused statistics and normalization in Whole mode by waves of whole groups, each wave's
// pieces shared out over the threads: where there are too few groups for whole_by_group
// (LayerNorm's samples on many cores) but a group fits in all threads' items together, so
// that the input is read from memory once instead of twice. Each wave costs two joins of all
// threads, so only few groups take waves (with many groups, one join per wave cost 4x the
// time on a loaded 2-core machine).
bool whole_in_waves(const RowLayout& layout, int threads);
// Consecutive groups per such work item, about item_bytes() / 2 of input (at least one): small
// groups (InstanceNorm's planes) then reach each thread as one long stream that the hardware
// prefetcher follows, not as planes interleaved with the other threads'.
int64_t groups_per_item(const RowLayout& layout, int threads);

}  // namespace normviz::core::detail
