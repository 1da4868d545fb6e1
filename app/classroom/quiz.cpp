// Quiz questions, choices, explanations, selections and scoring.
#include "app/classroom/quiz.h"

#include <algorithm>
#include <cmath>

namespace normviz::app {

namespace {

// splitmix64: a fixed, well-spread sequence from the round number.
uint64_t mix(uint64_t round) {
    uint64_t z = round * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// The norms the quiz asks about that apply to `shape`.
std::vector<core::NormSpec> quiz_specs(const core::Shape& shape, int64_t groups) {
    std::vector<core::NormSpec> specs;
    for (core::NormKind k : {core::NormKind::Batch, core::NormKind::Layer, core::NormKind::Instance,
                             core::NormKind::Group, core::NormKind::LayerToken}) {
        core::NormSpec spec;
        spec.kind = k;
        spec.groups = groups;
        if (core::validate(spec, shape)) specs.push_back(spec);
    }
    return specs;
}

std::string norm_label(core::NormKind kind, int64_t groups) {
    std::string out = core::norm_title(kind);
    if (kind == core::NormKind::Group) out += " (G = " + std::to_string(groups) + ")";
    return out;
}

// "channel 2", "every channel", "channels 4-7" for axis block `block` of `extent` at key k.
std::string span(const char* one, const char* many, int64_t extent, int64_t block, int64_t k) {
    if (block >= extent) return std::string("every ") + one;
    if (block == 1) return std::string(one) + " " + std::to_string(k);
    return std::string(many) + " " + std::to_string(k * block) + "\u2013" + std::to_string(k * block + block - 1);
}

}  // namespace

QuizScore score_quiz(const core::Partition& partition, const core::Index& focus, const std::set<int64_t>& guesses) {
    QuizScore s;
    const core::Shape& shape = partition.shape;
    s.pooled = partition.group_size();
    const int64_t focus_flat = core::flat_index(shape, focus);
    const core::Index key = partition.key_of(focus);
    for (int64_t g : guesses) {
        if (g == focus_flat) continue;  // counted below, once
        if (g < 0 || g >= shape.numel()) {
            ++s.false_alarms;
            continue;
        }
        if (partition.key_of(core::unflat_index(shape, g)) == key) ++s.hits;
        else ++s.false_alarms;
    }
    ++s.hits;  // the focus
    s.misses = s.pooled - s.hits;
    s.score = static_cast<double>(s.hits) / static_cast<double>(s.pooled + s.false_alarms);
    return s;
}

const char* quiz_kind_name(QuizKind kind) {
    switch (kind) {
        case QuizKind::Cells: return "cells";
        case QuizKind::Count: return "count";
        case QuizKind::Size: return "size";
    }
    return "cells";
}

QuizQuestion quiz_question(const core::Shape& shape, int64_t groups, uint64_t round) {
    const std::vector<core::NormSpec> specs = quiz_specs(shape, groups);
    QuizQuestion q;
    q.norm = specs.empty() ? core::NormKind::Layer : specs[round % specs.size()].kind;
    q.focus = core::unflat_index(shape, static_cast<int64_t>(mix(round) % static_cast<uint64_t>(shape.numel())));
    if (round % 3 == 2) q.kind = (round / 3) % 2 == 0 ? QuizKind::Count : QuizKind::Size;
    return q;
}

QuizChoices quiz_choices(const core::Partition& truth, QuizKind kind, int64_t groups, uint64_t round) {
    const core::Shape& s = truth.shape;
    const int64_t answer = kind == QuizKind::Size ? truth.group_size() : truth.group_count();
    // Numbers a student might give instead: what the other norms keep or pool, and the extents.
    std::vector<int64_t> others = {s.N, s.C, s.H * s.W, s.N * s.C, s.C * s.H * s.W, s.N * s.H * s.W, s.numel()};
    for (const core::NormSpec& spec : quiz_specs(s, groups)) {
        const core::Partition p = core::make_partition(spec, s);
        others.push_back(p.group_count());
        others.push_back(p.group_size());
    }
    std::sort(others.begin(), others.end());
    others.erase(std::unique(others.begin(), others.end()), others.end());
    others.erase(std::remove_if(others.begin(), others.end(), [&](int64_t v) { return v == answer || v < 1; }),
                 others.end());
    QuizChoices out;
    out.values.push_back(answer);
    const uint64_t start = others.empty() ? 0 : mix(round + 17) % others.size();
    for (size_t k = 0; k < others.size() && out.values.size() < 4; ++k)
        out.values.push_back(others[(start + k) % others.size()]);
    std::sort(out.values.begin(), out.values.end());
    out.answer = static_cast<int>(std::find(out.values.begin(), out.values.end(), answer) - out.values.begin());
    return out;
}

std::string quiz_prompt(const QuizQuestion& q, const core::Shape& shape, int64_t groups) {
    const std::string norm = norm_label(q.norm, groups), tensor = "this " + core::to_string(shape) + " tensor";
    switch (q.kind) {
        case QuizKind::Count:
            return "How many statistics (mean and variance pairs) does " + norm + " keep for " + tensor + "?";
        case QuizKind::Size: return "How many values does each " + norm + " mean pool in " + tensor + "?";
        case QuizKind::Cells: break;
    }
    const core::Index& f = q.focus;
    return norm + ": mark every cell pooled with the ringed cell (" + std::to_string(f.n) + ", " + std::to_string(f.c) +
           ", " + std::to_string(f.h) + ", " + std::to_string(f.w) + ").";
}

std::string explain_quiz_group(const core::NormSpec& spec, const core::Partition& p, const core::Index& focus) {
    const core::Shape& s = p.shape;
    const core::Index k = p.key_of(focus);
    std::string where = span("channel", "channels", s.C, p.block[1], k.c);
    where += p.block[0] >= s.N ? " of every sample" : " of " + span("sample", "samples", s.N, p.block[0], k.n);
    // Positions: said only where the group does not take all of them.
    std::vector<std::string> pos;
    if (p.block[2] < s.H) pos.push_back(span("h", "h", s.H, p.block[2], k.h));
    if (p.block[3] < s.W) pos.push_back(span("w", "w", s.W, p.block[3], k.w));
    for (std::string& t : pos) t.insert(t.find(' '), " =");
    if (pos.size() == 1) where += " at " + pos[0];
    if (pos.size() == 2) where += " at " + pos[0] + ", " + pos[1];
    const int64_t size = p.group_size();
    return norm_label(spec.kind, spec.groups) + " pools " + core::pooled_axes_list(p) + ": " + where + ", " +
           std::to_string(size) + (size == 1 ? " value." : " values.");
}

std::vector<int64_t> tile_cells(const core::Shape& s, int64_t n, int64_t c) {
    std::vector<int64_t> out;
    if (n < 0 || n >= s.N || c < 0 || c >= s.C) return out;
    for (int64_t h = 0; h < s.H; ++h)
        for (int64_t w = 0; w < s.W; ++w) out.push_back(core::flat_index(s, {n, c, h, w}));
    return out;
}

std::vector<int64_t> sample_cells(const core::Shape& s, int64_t n) {
    std::vector<int64_t> out;
    for (int64_t c = 0; c < s.C; ++c) {
        const std::vector<int64_t> tile = tile_cells(s, n, c);
        out.insert(out.end(), tile.begin(), tile.end());
    }
    return out;
}

std::vector<int64_t> channel_cells(const core::Shape& s, int64_t c) {
    std::vector<int64_t> out;
    for (int64_t n = 0; n < s.N; ++n) {
        const std::vector<int64_t> tile = tile_cells(s, n, c);
        out.insert(out.end(), tile.begin(), tile.end());
    }
    return out;
}

std::vector<int64_t> cells_in_rect(const GridLayout& layout, Vec2 a, Vec2 b) {
    const core::Shape& s = layout.shape;
    const float x0 = std::min(a.x, b.x), x1 = std::max(a.x, b.x), y0 = std::min(a.y, b.y), y1 = std::max(a.y, b.y);
    std::vector<int64_t> out;
    if (!(x1 > x0 && y1 > y0)) return out;  // empty or NaN
    for (int64_t n = 0; n < s.N; ++n)
        for (int64_t c = 0; c < s.C; ++c) {
            const Vec2 t = tile_origin(layout, n, c);
            // Cell (h, w) spans [t + w, t + w + 1) and overlaps the rectangle where the spans meet.
            const int64_t w0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(x0 - t.x)));
            const int64_t w1 = std::min<int64_t>(s.W - 1, static_cast<int64_t>(std::ceil(x1 - t.x)) - 1);
            const int64_t h0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(y0 - t.y)));
            const int64_t h1 = std::min<int64_t>(s.H - 1, static_cast<int64_t>(std::ceil(y1 - t.y)) - 1);
            for (int64_t h = h0; h <= h1; ++h)
                for (int64_t w = w0; w <= w1; ++w) out.push_back(core::flat_index(s, {n, c, h, w}));
        }
    return out;
}

void toggle_cells(std::set<int64_t>& guesses, const std::vector<int64_t>& cells) {
    const bool all_marked = std::all_of(cells.begin(), cells.end(), [&](int64_t i) { return guesses.count(i) > 0; });
    for (int64_t i : cells) {
        if (all_marked) guesses.erase(i);
        else guesses.insert(i);
    }
}

}  // namespace normviz::app
