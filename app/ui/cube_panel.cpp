// The cube view: one 3-D cube per shown norm (the Group Normalization paper's Fig. 2 made
// interactive), side by side with one shared orbit camera and the shared focus. Drag turns
// every cube, the wheel zooms, a click makes the voxel under the mouse the focus.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include <imgui.h>

#include <glm/geometric.hpp>

#include "app/state/classroom_actions.h"
#include "app/render/cube_renderer.h"
#include "app/render/tensor_renderer.h"
#include "app/view/number_format.h"
#include "app/ui/panels.h"
#include "app/view/cube_camera.h"

namespace normviz::app {

namespace {

ImU32 rgb(Rgb c, int alpha = 255) { return IM_COL32(c.r, c.g, c.b, alpha); }
ImVec2 on_screen(ImVec2 origin, glm::vec2 p) { return ImVec2(origin.x + p.x, origin.y + p.y); }

// "GroupNorm (G=2)", "Custom (NW)".
std::string cube_title(const PanelDerived& p) {
    std::string title = core::norm_title(p.spec.kind);
    if (p.spec.kind == core::NormKind::Group) title += " (G=" + std::to_string(p.spec.groups) + ")";
    if (p.spec.kind == core::NormKind::Custom) title += " (" + core::axes_to_string(p.spec.custom_axes) + ")";
    return title;
}

// "pools C/G, H, W · group n=1, g=1 · 32 values", shorter when that is wider than max_width.
std::string cube_subtitle(const AppState& state, const PanelDerived& p, float max_width) {
    const bool partitioned = p.partition.shape == state.tensor.shape;
    const std::string pools =
        "pools " + (partitioned ? core::pooled_axes_list(p.partition) : core::axes_to_list(core::reduced_axes(p.spec)));
    if (p.eval_mode) return "(eval) running statistics \u00b7 pools no values of this batch";
    if (quiz_answer_hidden(state)) return "which cells share the ringed cell's statistics?";  // pools: the answer
    if (p.stats.empty() || !core::contains(state.tensor.shape, state.scene.focus)) return pools;
    const std::string group = "group " + core::key_to_string(p.partition, p.partition.key_of(state.scene.focus));
    const int64_t size = p.partition.group_size();
    const std::string values = std::to_string(size) + (size == 1 ? " value" : " values");
    for (const std::string& s : {pools + " \u00b7 " + group + " \u00b7 " + values, group + " \u00b7 " + values})
        if (ImGui::CalcTextSize(s.c_str()).x <= max_width) return s;
    return group;
}

// Columns x rows of cubes that give each cube the largest square.
void choose_cube_grid(int count, ImVec2 area, float header, int& cols, int& rows) {
    float best = -1;
    cols = rows = 1;
    for (int c = 1; c <= count; ++c) {
        const int r = (count + c - 1) / c;
        const float side = std::min(area.x / c, area.y / r - header);
        if (side > best) {
            best = side;
            cols = c;
            rows = r;
        }
    }
}

// An axis along the box edge a -> b, pushed away from the cube's centre on screen, with an
// arrowhead at b and a label beside its middle.
void draw_axis(ImDrawList* dl, const CubeView& view, ImVec2 origin, glm::vec3 a, glm::vec3 b, const char* label) {
    const glm::vec2 canvas = view.viewport;
    const float font = ImGui::GetFontSize();
    const glm::vec2 sa = project_to_screen(view, a), sb = project_to_screen(view, b);
    const glm::vec2 centre = project_to_screen(view, glm::vec3(0));
    glm::vec2 along = sb - sa;
    const float length = glm::length(along);
    if (length < 4) return;
    along /= length;
    glm::vec2 out(-along.y, along.x);  // perpendicular, pointing away from the centre
    if (glm::dot(out, 0.5f * (sa + sb) - centre) < 0) out = -out;
    const glm::vec2 pa = sa + out * (0.55f * font) + along * (0.1f * length);
    const glm::vec2 pb = sb + out * (0.55f * font) - along * (0.1f * length);
    const ImU32 color = IM_COL32(215, 215, 222, 255);
    dl->AddLine(on_screen(origin, pa), on_screen(origin, pb), color, 1.5f);
    const glm::vec2 head = pb - along * (0.5f * font);
    dl->AddTriangleFilled(on_screen(origin, pb), on_screen(origin, head + out * (0.25f * font)),
                          on_screen(origin, head - out * (0.25f * font)), color);
    const ImVec2 size = ImGui::CalcTextSize(label);
    const glm::vec2 mid =
        0.5f * (pa + pb) + out * (0.3f * font + 0.5f * std::max(size.x * std::fabs(out.x), size.y * std::fabs(out.y)));
    // Inside the canvas even when the axis runs along its border.
    const float x = std::clamp(mid.x - 0.5f * size.x, 2.0f, std::max(2.0f, canvas.x - size.x - 2));
    const float y = std::clamp(mid.y - 0.5f * size.y, 2.0f, std::max(2.0f, canvas.y - size.y - 2));
    dl->AddText(ImVec2(origin.x + x, origin.y + y), color, label);
}

// Edges of each sample block: bright where a face next to them faces the camera.
void draw_block_edges(ImDrawList* dl, const CubeGeometry& g, const CubeView& view, ImVec2 origin) {
    const int64_t blocks = std::min<int64_t>(g.blocks(), 256);
    for (int64_t b = 0; b < blocks; ++b) {
        const Box box = block_box(g, b);
        auto corner = [&](int i) {
            return glm::vec3((i & 1) ? box.hi.x : box.lo.x, (i & 2) ? box.hi.y : box.lo.y,
                             (i & 4) ? box.hi.z : box.lo.z);
        };
        auto front = [&](int axis, bool high) {  // does the face on this side face the eye?
            const float plane = high ? box.hi[axis] : box.lo[axis];
            return high ? view.eye[axis] > plane : view.eye[axis] < plane;
        };
        for (int i = 0; i < 8; ++i)
            for (int axis = 0; axis < 3; ++axis) {
                if (i & (1 << axis)) continue;  // each edge once, from its low corner
                const int j = i | (1 << axis);
                const int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
                const bool seen = front(a1, (i >> a1) & 1) || front(a2, (i >> a2) & 1);
                dl->AddLine(on_screen(origin, project_to_screen(view, corner(i))),
                            on_screen(origin, project_to_screen(view, corner(j))),
                            seen ? IM_COL32(225, 225, 232, 170) : IM_COL32(225, 225, 232, 45), seen ? 1.3f : 1.0f);
            }
    }
}

// The edge along `axis` (from `from` to the other end) to label: one on the cube's outline
// (a face on one side faces the eye, the other not), the lowest on screen, or for the
// vertical axis the leftmost, so labels sit outside the cube from any side.
void labelled_edge(const CubeGeometry& g, const CubeView& view, int axis, bool from_high, glm::vec3& a, glm::vec3& b) {
    const int u = (axis + 1) % 3, v = (axis + 2) % 3;
    auto front = [&](int k, bool high) { return high ? view.eye[k] > g.hi[k] : view.eye[k] < g.lo[k]; };
    float best = -1e30f;
    for (int i = 0; i < 4; ++i) {
        const bool hu = i & 1, hv = i & 2;
        glm::vec3 p0, p1;
        p0[u] = p1[u] = hu ? g.hi[u] : g.lo[u];
        p0[v] = p1[v] = hv ? g.hi[v] : g.lo[v];
        p0[axis] = from_high ? g.hi[axis] : g.lo[axis];
        p1[axis] = from_high ? g.lo[axis] : g.hi[axis];
        if (front(u, hu) == front(v, hv)) continue;  // not on the outline
        const glm::vec2 mid = 0.5f * (project_to_screen(view, p0) + project_to_screen(view, p1));
        const float score = axis == 1 ? -mid.x : mid.y;
        if (score > best) {
            best = score;
            a = p0;
            b = p1;
        }
    }
}

void draw_cube_labels(const AppState& state, const CubeGeometry& g, const CubeView& view, ImVec2 origin,
                      ImDrawList* dl) {
    const core::Shape& s = state.tensor.shape;
    char buf[64];
    // N along the front bottom edge, H·W down the front left edge, C into the screen on the
    // right: the paper's figure.
    if (g.split_hw) std::snprintf(buf, sizeof buf, "N=%lld \u00d7 W=%lld", (long long)s.N, (long long)s.W);
    else std::snprintf(buf, sizeof buf, "N=%lld", (long long)s.N);
    glm::vec3 a{g.lo.x, g.lo.y, g.hi.z}, b{g.hi.x, g.lo.y, g.hi.z};
    labelled_edge(g, view, 0, false, a, b);
    draw_axis(dl, view, origin, a, b, buf);
    if (g.split_hw) std::snprintf(buf, sizeof buf, "H=%lld", (long long)s.H);
    else std::snprintf(buf, sizeof buf, "H\u00b7W=%lld", (long long)(s.H * s.W));
    a = {g.lo.x, g.hi.y, g.hi.z}, b = {g.lo.x, g.lo.y, g.hi.z};
    labelled_edge(g, view, 1, true, a, b);
    draw_axis(dl, view, origin, a, b, buf);
    std::snprintf(buf, sizeof buf, "C=%lld", (long long)s.C);
    a = {g.hi.x, g.lo.y, g.hi.z}, b = {g.hi.x, g.lo.y, g.lo.z};
    labelled_edge(g, view, 2, true, a, b);
    draw_axis(dl, view, origin, a, b, buf);
    if (g.split_hw && g.blocks() <= 32) {  // which block is which sample
        for (int64_t b = 0; b < g.blocks(); ++b) {
            const Box box = block_box(g, b);
            // Above the block's top back edge, clear of its faces when seen from above.
            const glm::vec2 p = project_to_screen(
                view, {0.5f * (box.lo.x + box.hi.x), box.hi.y, view.eye.y > box.hi.y ? box.lo.z : box.hi.z});
            std::snprintf(buf, sizeof buf, "n=%lld", (long long)(b * g.bin[0]));
            const ImVec2 size = ImGui::CalcTextSize(buf);
            if (size.x > std::fabs(project_to_screen(view, {box.hi.x, box.hi.y, box.hi.z}).x -
                                   project_to_screen(view, {box.lo.x, box.hi.y, box.hi.z}).x) *
                             1.6f)
                continue;
            dl->AddText(ImVec2(origin.x + p.x - 0.5f * size.x, origin.y + p.y - 1.15f * size.y),
                        IM_COL32(200, 200, 205, 255), buf);
        }
    }
}

void draw_cube_tooltip(const AppState& state, const PanelDerived& p, const CubeGeometry& g, const core::Index& i) {
    ImGui::BeginTooltip();
    ImGui::Text("(n, c, h, w) = (%lld, %lld, %lld, %lld)", (long long)i.n, (long long)i.c, (long long)i.h,
                (long long)i.w);
    ImGui::Text("x = %s", format_number(state.tensor.at(i)).c_str());
    if (g.binned())
        ImGui::TextDisabled("this voxel stands for %lld x %lld x %lld x %lld elements (large tensor)",
                            (long long)g.bin[0], (long long)g.bin[1], (long long)g.bin[2], (long long)g.bin[3]);
    if (!p.stats.empty()) {
        const int64_t group = p.partition.group_of(i);
        ImGui::Text("group %lld of %lld (%s)", (long long)group + 1, (long long)p.partition.group_count(),
                    core::key_to_string(p.partition, p.partition.key_of(i)).c_str());
    }
    ImGui::EndTooltip();
}

// The quiz over a cube: the asked cell ringed; the student's marks as dots (after the reveal,
// marks outside the group as crosses, while the renderer shows the group itself).
void draw_cube_quiz_marks(const AppState& state, const PanelDerived& p, const CubeGeometry& g, const CubeView& view,
                          ImVec2 origin, ImDrawList* dl) {
    const QuizState& q = state.classroom.quiz;
    const core::Shape& s = state.tensor.shape;
    if (!core::contains(s, q.focus)) return;
    auto at = [&](const core::Index& i) {
        return on_screen(origin, project_to_screen(view, voxel_box(g, voxel_of(g, i)).center()));
    };
    const float r = std::clamp(0.35f * ImGui::GetFontSize(), 4.0f, 12.0f);
    const ImVec2 f = at(q.focus);
    dl->AddCircle(f, 1.6f * r, IM_COL32(0, 0, 0, 255), 0, 4.0f);
    dl->AddCircle(f, 1.6f * r, IM_COL32(255, 255, 255, 255), 0, 2.0f);
    const bool judge = q.revealed && !p.stats.empty();
    const core::Index key = judge ? p.partition.key_of(q.focus) : core::Index{};
    int drawn = 0;
    for (int64_t flat : q.guesses) {
        if (++drawn > 4096) break;
        const core::Index i = core::unflat_index(s, flat);
        const ImVec2 c = at(i);
        if (judge && p.partition.key_of(i) != key) {  // false alarm
            dl->AddLine(ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r), IM_COL32(255, 80, 80, 255), 3.0f);
            dl->AddLine(ImVec2(c.x - r, c.y + r), ImVec2(c.x + r, c.y - r), IM_COL32(255, 80, 80, 255), 3.0f);
            continue;
        }
        dl->AddCircleFilled(c, r, IM_COL32(255, 255, 255, 235));
        dl->AddCircle(c, r, IM_COL32(0, 0, 0, 255), 0, 2.0f);
    }
}

void draw_cube_legend(const AppState& state, ImVec2 p0, float width, ImDrawList* dl) {
    const float font = ImGui::GetFontSize();
    const ImU32 color = IM_COL32(220, 220, 225, 255);
    const char* what = state.scene.show_normalized ? "normalized value" : "raw value x";
    double lo = -3, hi = 3;
    if (!state.scene.show_normalized) {
        lo = static_cast<double>(state.value_center) - state.value_half_range;  // double: no overflow
        hi = static_cast<double>(state.value_center) + state.value_half_range;
    }
    const std::string l = format_number(lo), h = format_number(hi);
    const float bar_h = font * 0.8f, gap = font * 0.6f;
    float x = p0.x + 4;
    dl->AddText(ImVec2(x, p0.y), color, what);
    x += ImGui::CalcTextSize(what).x + 2 * gap;
    dl->AddText(ImVec2(x, p0.y), color, l.c_str());
    x += ImGui::CalcTextSize(l.c_str()).x + gap;
    const float bar_w = std::clamp(width * 0.25f, 40.0f, std::max(40.0f, font * 20));  // as long, for its text, at 4K
    const int steps = 48;
    for (int i = 0; i < steps; ++i) {
        const float t = -1.0f + 2.0f * (i + 0.5f) / steps;
        dl->AddRectFilled(ImVec2(x + bar_w * i / steps, p0.y), ImVec2(x + bar_w * (i + 1) / steps + 1, p0.y + bar_h),
                          rgb(palette_color(state.scene.palette, t)));
    }
    x += bar_w + gap;
    dl->AddText(ImVec2(x, p0.y), color, h.c_str());
    x += ImGui::CalcTextSize(h.c_str()).x + 2 * gap;
    dl->AddRect(ImVec2(x, p0.y), ImVec2(x + bar_h, p0.y + bar_h), rgb(kHighlight), 0, 0, 2.5f);
    // The longest key that fits the area (a narrow window cut the long one off).
    const char* key = "pooled";
    for (const char* longer :
         {"pooled with the focus (solid); the rest translucent", "pooled with the focus (solid)"}) {
        if (x + bar_h + gap * 0.5f + ImGui::CalcTextSize(longer).x <= p0.x + width) {
            key = longer;
            break;
        }
    }
    dl->AddText(ImVec2(x + bar_h + gap * 0.5f, p0.y - 0.1f * font), color, key);
    if (!state.figure_mode) {
        const char* hint = "drag: turn \u00b7 wheel: zoom \u00b7 0: reset \u00b7 K: grid view";
        const float hint_w = ImGui::CalcTextSize(hint).x;
        if (x + bar_h + gap + ImGui::CalcTextSize(key).x + 2 * gap + hint_w < p0.x + width)
            dl->AddText(ImVec2(p0.x + width - hint_w - 4, p0.y - 0.1f * font), IM_COL32(150, 150, 158, 255), hint);
    }
}

// What panel `p`'s cube shows.
CubeParams cube_params(const AppState& state, const PanelDerived& p, const CubeGeometry& geometry, const CubeView& view,
                       float outline_px) {
    CubeParams params;
    params.geometry = geometry;
    params.view = view;
    params.partition = p.partition;
    params.focus = state.scene.focus;
    // Eval mode pools nothing: no group to outline; a quiz hides the group until the reveal.
    params.has_focus = !p.eval_mode && !quiz_answer_hidden(state);
    params.show_normalized = state.scene.show_normalized;
    params.center = state.value_center;
    params.half_range = state.value_half_range;
    params.outline_px = outline_px;
    params.palette = state.scene.palette;
    return params;
}

// The panel's title (red when the norm failed) and its subtitle, above its cube.
void draw_cube_header(const AppState& state, const PanelDerived& p, ImVec2 at, float panel_w, float header_h,
                      ImDrawList* dl) {
    const float font = ImGui::GetFontSize();
    const float px = at.x, py = at.y;
    const bool ok = p.error.empty();
    dl->PushClipRect(ImVec2(px, py), ImVec2(px + panel_w - 4, py + header_h), true);
    const std::string title = cube_title(p);
    const float title_w = ImGui::CalcTextSize(title.c_str()).x;
    dl->AddText(ImVec2(px + 0.5f * (panel_w - 4 - title_w), py + 0.1f * font),
                ok ? IM_COL32(240, 240, 245, 255) : IM_COL32(255, 120, 110, 255), title.c_str());
    const std::string sub = cube_subtitle(state, p, panel_w - 8);
    const float sub_w = ImGui::CalcTextSize(sub.c_str()).x;
    dl->AddText(ImVec2(px + std::max(2.0f, 0.5f * (panel_w - 4 - sub_w)), py + 1.2f * font),
                IM_COL32(170, 170, 178, 255), sub.c_str());
    dl->PopClipRect();
}

// Input: drag turns every cube (shared camera), wheel zooms, a click picks the focus.
void handle_cube_input(AppState& state, const PanelDerived& p, const CubeGeometry& geometry, const CubeView& view,
                       ImVec2 c0, bool hovered) {
    ImGuiIO& io = ImGui::GetIO();
    CubeCamera& cam = state.cube_camera;
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 3.0f)) {
        cam.yaw -= io.MouseDelta.x * 0.4f;
        cam.pitch += io.MouseDelta.y * 0.4f;
        cam = clamp_camera(cam);
    }
    if (hovered && io.MouseWheel != 0)
        cam = clamp_camera({cam.yaw, cam.pitch, cam.distance * std::pow(0.88f, io.MouseWheel)});
    const std::optional<core::Index> under =
        hovered ? pick_element(geometry, view, {io.MousePos.x - c0.x, io.MousePos.y - c0.y}) : std::nullopt;
    // In a quiz a click marks the voxel's element (Shift: its whole tile), not a new focus.
    if (ImGui::IsItemDeactivated() && io.MouseDragMaxDistanceSqr[0] < 9.0f && under)
        click_cell(state, *under, io.KeyShift);
    if (hovered && under && !ImGui::IsItemActive() && !state.classroom.quiz.active && !state.classroom.presenter)
        draw_cube_tooltip(state, p, geometry, *under);  // it names the group
}

// The keyboard's zoom steps (+ / -) applied to the shared cube camera.
const CubeCamera& apply_keyboard_zoom(AppState& state) {
    CubeCamera& cam = state.cube_camera;
    if (state.camera.zoom_steps != 0) {
        cam.distance *= std::pow(0.85f, static_cast<float>(state.camera.zoom_steps));
        state.camera.zoom_steps = 0;
    }
    cam = clamp_camera(cam);
    return cam;
}

}  // namespace

void draw_cube_area(AppState& state, const FrameLayout& frame, TensorRenderer& renderer,
                    std::vector<PanelRect>& rects) {
    ImGuiIO& io = ImGui::GetIO();
    // The same area as the grid view, so the lessons strip is not covered here either.
    const PanelRect area = begin_view_area(frame, "##cube_area");
    const ImVec2 area_pos(area.x, area.y), area_size(area.w, area.h);
    rects.assign(state.panels.size(), PanelRect{});
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float font = ImGui::GetFontSize();
    const float legend_h = font * 2.0f, header_h = font * 2.6f;
    const ImVec2 inner_pos(area_pos.x + 6, area_pos.y + 4);
    const ImVec2 inner(area_size.x - 12, area_size.y - 8 - legend_h);
    const int count = static_cast<int>(state.panels.size());
    int cols = 1, rows = 1;
    choose_cube_grid(std::max(count, 1), inner, header_h, cols, rows);
    const float panel_w = inner.x / cols, panel_h = inner.y / rows;
    const ImVec2 canvas_size(std::max(8.0f, panel_w - 8), std::max(8.0f, panel_h - header_h - 6));

    const CubeCamera& cam = apply_keyboard_zoom(state);
    const CubeGeometry geometry = make_cube_geometry(state.tensor.shape, state.cube_split_hw);
    CubeRenderer* cube = renderer.cube();
    if (cube) cube->ensure_values(state.tensor, state.tensor_version, geometry);

    for (int i = 0; i < count; ++i) {
        PanelDerived& p = state.panels[i];
        PanelRect& r = rects[i];
        r = grid_panel_rect(i, cols, inner_pos.x, inner_pos.y, panel_w, panel_h, header_h, canvas_size.x, canvas_size.y);
        const float px = r.x, py = r.y;
        ImGui::PushID(i);
        const bool ok = p.error.empty();
        draw_cube_header(state, p, ImVec2(px, py), panel_w, header_h, dl);
        const ImVec2 c0(r.canvas_x, r.canvas_y), c1(r.canvas_x + r.canvas_w, r.canvas_y + r.canvas_h);
        ImGui::SetCursorScreenPos(c0);
        ImGui::InvisibleButton("##cube", canvas_size);
        const bool hovered = ImGui::IsItemHovered();
        const CubeView view = make_cube_view(cam, geometry, {canvas_size.x, canvas_size.y});

        if (cube && !p.stats.empty()) {
            cube->ensure_group_stats(i, p.stats, core::is_centered(p.spec), p.spec.eps, p.stats_version);
            // Thicker with larger text (presenter mode, a 4K figure), as the text is.
            const CubeParams params =
                cube_params(state, p, geometry, view, std::max(2.0f, font * 0.125f) * io.DisplayFramebufferScale.x);
            const int fb_w = static_cast<int>(std::lround(canvas_size.x * io.DisplayFramebufferScale.x));
            const int fb_h = static_cast<int>(std::lround(canvas_size.y * io.DisplayFramebufferScale.y));
            const GLuint texture = cube->draw(i, params, fb_w, fb_h);
            dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture)), c0, c1, ImVec2(0, 1),
                         ImVec2(1, 0));
            dl->PushClipRect(c0, c1, true);
            draw_block_edges(dl, geometry, view, c0);
            draw_cube_labels(state, geometry, view, c0, dl);
            if (state.classroom.quiz.active) draw_cube_quiz_marks(state, p, geometry, view, c0, dl);
            if (!ok) dl->AddText(ImVec2(c0.x + 4, c1.y - font * 1.3f), IM_COL32(255, 120, 110, 255), p.error.c_str());
            dl->PopClipRect();
        } else {
            dl->AddRectFilled(c0, c1, rgb(kCanvasBackground));
            ImGui::SetCursorScreenPos(ImVec2(c0.x + 8, c0.y + 8));
            ImGui::PushTextWrapPos(c1.x - 8);
            ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.45f, 1.0f), "%s",
                               cube ? p.error.c_str() : renderer.cube_error().c_str());
            ImGui::PopTextWrapPos();
        }

        handle_cube_input(state, p, geometry, view, c0, hovered);
        ImGui::PopID();
    }
    draw_cube_legend(state, ImVec2(area_pos.x + 6, area_pos.y + area_size.y - legend_h + font * 0.45f),
                     area_size.x - 12, dl);
    ImGui::End();
}

}  // namespace normviz::app
