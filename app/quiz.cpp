// Quiz questions and scoring.
#include "app/quiz.h"

#include <vector>

namespace normviz::app {

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

QuizQuestion quiz_question(const core::Shape& shape, int64_t groups, uint64_t round) {
    std::vector<core::NormKind> kinds;
    for (core::NormKind k : {core::NormKind::Batch, core::NormKind::Layer, core::NormKind::Instance,
                             core::NormKind::Group, core::NormKind::LayerToken}) {
        core::NormSpec spec;
        spec.kind = k;
        spec.groups = groups;
        if (core::validate(spec, shape)) kinds.push_back(k);
    }
    if (kinds.empty()) kinds.push_back(core::NormKind::Layer);
    // splitmix64 of the round: a fixed, well-spread sequence of cells.
    uint64_t z = round * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    QuizQuestion q;
    q.norm = kinds[round % kinds.size()];
    q.focus = core::unflat_index(shape, static_cast<int64_t>(z % static_cast<uint64_t>(shape.numel())));
    return q;
}

}  // namespace normviz::app
