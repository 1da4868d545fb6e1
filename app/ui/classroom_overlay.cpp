// Drawn over a norm canvas by the classroom layer: the quiz's marks (before the reveal: the
// student's marks and the asked cell; after: hits, misses and false alarms as different
// shapes, so they never rely on colour alone), padded positions hatched, device shards named.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app/classroom/quiz.h"
#include "app/ui/panels.h"

namespace normviz::app {

namespace {

constexpr ImU32 kMarkFill = IM_COL32(255, 255, 255, 235);
constexpr ImU32 kMarkEdge = IM_COL32(0, 0, 0, 255);
constexpr ImU32 kMiss = IM_COL32(0, 210, 255, 255);  // not the highlight's amber: a miss sits on a highlighted cell
constexpr ImU32 kFalseAlarm = IM_COL32(255, 80, 80, 255);

void dot(ImDrawList* dl, ImVec2 c, float r) {
    dl->AddCircleFilled(c, r, kMarkFill);
    dl->AddCircle(c, r, kMarkEdge, 0, 1.5f);
}

void cross(ImDrawList* dl, ImVec2 c, float r) {
    dl->AddLine(ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r), kMarkEdge, 5.0f);
    dl->AddLine(ImVec2(c.x - r, c.y + r), ImVec2(c.x + r, c.y - r), kMarkEdge, 5.0f);
    dl->AddLine(ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r), kFalseAlarm, 2.5f);
    dl->AddLine(ImVec2(c.x - r, c.y + r), ImVec2(c.x + r, c.y - r), kFalseAlarm, 2.5f);
}

void quiz_marks(const AppState& state, const GridLayout& layout, const ViewTransform& view, ImDrawList* dl) {
    const QuizState& q = state.classroom.quiz;
    const core::Shape& s = state.tensor.shape;
    const float r = std::max(2.5f, view.zoom * 0.22f);
    auto center = [&](const core::Index& i) {
        const Vec2 o = view.to_screen(cell_origin(layout, i));
        return ImVec2(o.x + view.zoom * 0.5f, o.y + view.zoom * 0.5f);
    };
    // The asked cell: a double ring, white then dark, before and after the reveal.
    const ImVec2 fc = center(q.focus);
    dl->AddCircle(fc, view.zoom * 0.42f, kMarkEdge, 0, 4.0f);
    dl->AddCircle(fc, view.zoom * 0.42f, IM_COL32(255, 255, 255, 255), 0, 2.0f);
    if (q.kind != QuizKind::Cells) return;  // a multiple-choice question: the reveal shows the group itself
    if (!q.revealed) {
        for (int64_t flat : q.guesses) dot(dl, center(core::unflat_index(s, flat)), r);
        return;
    }
    const core::NormSpec spec = spec_for(state.scene, q.norm);
    if (!core::validate(spec, s) || s.numel() > (int64_t{1} << 20)) return;
    const core::Partition p = partition_for(state.scene, spec, s);
    const core::Index key = p.key_of(q.focus);
    for (int64_t flat = 0; flat < s.numel(); ++flat) {
        const core::Index i = core::unflat_index(s, flat);
        if (i == q.focus) continue;
        const bool pooled = p.key_of(i) == key, marked = q.guesses.count(flat) > 0;
        if (pooled && marked) dot(dl, center(i), r);  // hit
        else if (pooled) {  // miss: a ring, dark under amber so it shows on the highlight colour too
            dl->AddCircle(center(i), r, kMarkEdge, 0, 5.0f);
            dl->AddCircle(center(i), r, kMiss, 0, 2.5f);
        } else if (marked) cross(dl, center(i), r);  // false alarm
    }
}

// Padded positions (w >= lengths[n]): diagonal hatching over each cell.
void padding_hatch(const AppState& state, const GridLayout& layout, const ViewTransform& view, ImDrawList* dl) {
    const core::Shape& s = state.tensor.shape;
    const auto& lengths = state.scene.lengths;
    if (static_cast<int64_t>(lengths.size()) != s.N || s.numel() > (int64_t{1} << 18)) return;
    for (int64_t n = 0; n < s.N; ++n)
        for (int64_t c = 0; c < s.C; ++c)
            for (int64_t h = 0; h < s.H; ++h)
                for (int64_t w = std::max<int64_t>(lengths[n], 0); w < s.W; ++w) {
                    const Vec2 o = view.to_screen(cell_origin(layout, {n, c, h, w}));
                    const float z = view.zoom;
                    for (float t = 0.25f; t < 1.0f; t += 0.25f) {
                        dl->AddLine(ImVec2(o.x + z * t, o.y), ImVec2(o.x, o.y + z * t), IM_COL32(0, 0, 0, 200), 1.5f);
                        dl->AddLine(ImVec2(o.x + z, o.y + z * t), ImVec2(o.x + z * t, o.y + z), IM_COL32(0, 0, 0, 200),
                                    1.5f);
                    }
                }
}

// "device k" (or "dev k", "dk" where that does not fit) under the first sample of each shard, right-aligned (the sample's "n=" label is
// at the left there), or else in the gap beside it; left out where neither has room, rather
// than drawn over cells (large presenter text).
void device_labels(const AppState& state, const GridLayout& layout, const ViewTransform& view, ImDrawList* dl,
                   PanelRect& r) {
    const core::Shape& s = state.tensor.shape;
    const int64_t d = state.scene.devices;
    if (d <= 1 || s.N % d != 0) return;
    const int64_t shard = s.N / d;
    const float font = ImGui::GetFontSize();
    const float bw = layout.block_width() * view.zoom, bh = layout.block_height() * view.zoom;
    const bool room_below = layout.sample_gap * view.zoom >= font + 1;
    char buf[32];
    for (int64_t n = 0; n < s.N; n += shard) {
        const Vec2 b = view.to_screen(block_origin(layout, n));
        const ImVec2 c0 = dl->GetClipRectMin(), c1 = dl->GetClipRectMax();
        if (b.x > c1.x || b.x + bw < c0.x || b.y > c1.y || b.y + bh < c0.y) continue;
        ++r.devices_in_view;
        char n_label[32];
        std::snprintf(n_label, sizeof n_label, "n=%lld", static_cast<long long>(n));
        const float n_w = ImGui::CalcTextSize(n_label).x;
        const bool last_row = n / layout.blocks_per_row == layout.block_rows() - 1;  // room kept below it
        // The longest name that fits: "device 1", then "dev 1", then "d1".
        bool placed = false;
        ImVec2 at;
        for (const char* format : {"device %lld", "dev %lld", "d%lld"}) {
            std::snprintf(buf, sizeof buf, format, static_cast<long long>(n / shard));
            const float text_w = ImGui::CalcTextSize(buf).x;
            if ((room_below || last_row) && n_w + text_w + 0.5f * font < bw) {
                at = ImVec2(b.x + bw - text_w, b.y + bh + 1);
            } else if (layout.sample_gap * view.zoom >= text_w + 12) {
                at = ImVec2(b.x + bw + 6, b.y);
            } else {
                continue;
            }
            placed = true;
            break;
        }
        if (!placed) continue;
        dl->AddText(at, IM_COL32(255, 220, 120, 255), buf);
        ++r.device_labels;
    }
}

}  // namespace

void draw_classroom_overlay(const AppState& state, const GridLayout& layout, const ViewTransform& view, ImDrawList* dl,
                            PanelRect& r) {
    if (!state.scene.lengths.empty()) padding_hatch(state, layout, view, dl);
    device_labels(state, layout, view, dl, r);
    if (state.classroom.quiz.active) quiz_marks(state, layout, view, dl);
}

}  // namespace normviz::app
