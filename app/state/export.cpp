// SVG and CSV exports of the current view.
#include "app/state/export.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "app/state/classroom_actions.h"
#include "app/view/theme.h"
#include "app/view/grid_layout.h"
#include "core/safe_file.h"

namespace normviz::app {

namespace {

std::string number17(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return out + "\"";
}

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
        if (ch == '&') out += "&amp;";
        else if (ch == '<') out += "&lt;";
        else if (ch == '>') out += "&gt;";
        else if (ch == '"') out += "&quot;";
        else out += ch;
    }
    return out;
}

std::string hex(Rgb c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
    return buf;
}

Rgb mix(Rgb a, Rgb b, float t) {
    auto m = [t](uint8_t x, uint8_t y) { return static_cast<uint8_t>(std::lround(x + (y - x) * t)); };
    return {m(a.r, b.r), m(a.g, b.g), m(a.b, b.b)};
}

std::string panel_title(const PanelDerived& p) {
    std::string title = core::norm_title(p.spec.kind);
    if (p.spec.kind == core::NormKind::Group) title += " (G=" + std::to_string(p.spec.groups) + ")";
    if (p.spec.kind == core::NormKind::Custom) title += " (" + core::axes_to_string(p.spec.custom_axes) + ")";
    return title;
}

// A panel's SVG title: the norm, what it pools and its groups (not during an unrevealed
// quiz: that is the answer), or why it cannot.
std::string svg_panel_title(const AppState& state, const PanelDerived& p) {
    std::string title = panel_title(p);
    if (quiz_answer_hidden(state)) return title;
    if (p.eval_mode && !p.stats.empty())
        title += " (eval) \u00b7 running statistics \u00b7 pools no values of this batch";
    else if (!p.stats.empty())
        title += " \u00b7 pools " + core::pooled_axes_list(p.partition) + " \u00b7 " +
                 std::to_string(p.partition.group_count()) + " groups of " + std::to_string(p.partition.group_size()) +
                 " values";
    if (!p.error.empty()) title += " \u00b7 " + p.error;
    return title;
}

// Where one panel's cells lie inside its <g>.
struct SvgGrid {
    const GridLayout& layout;
    float cell, font;
    float ox, oy;  // the first cell's corner
};

// The n= labels of the samples and the c= labels of the channels.
void write_svg_labels(std::ostringstream& out, const core::Shape& s, const SvgGrid& g) {
    const GridLayout& layout = g.layout;
    const float cell = g.cell, font = g.font, ox = g.ox, oy = g.oy;
    for (int64_t n = 0; n < s.N; ++n) {
        Vec2 b = block_origin(layout, n);
        out << "<text x=\"" << ox + b.x * cell - font * 3.6f << "\" y=\"" << oy + b.y * cell + font << "\" font-size=\""
            << font << "\" fill=\"#c8c8cd\">n=" << n << "</text>\n";
        for (int64_t c = 0; c < s.C; ++c) {
            Vec2 t = tile_origin(layout, n, c);
            if (n == 0 || layout.tile_gap * cell >= font)
                out << "<text x=\"" << ox + t.x * cell << "\" y=\"" << oy + t.y * cell - font * 0.3f
                    << "\" font-size=\"" << font * 0.8f << "\" fill=\"#c8c8cd\">c=" << c << "</text>\n";
        }
    }
}

// Every cell in its colour, the focus's group outlined and the focus ringed over them.
void write_svg_cells(std::ostringstream& out, const AppState& state, const PanelDerived& p, const SvgGrid& g) {
    const core::Shape& s = state.tensor.shape;
    const GridLayout& layout = g.layout;
    const float cell = g.cell, ox = g.ox, oy = g.oy;
    const bool have = !p.stats.empty();
    // Eval mode pools no value, and a quiz keeps its answer until the reveal: no group shown.
    const bool show_group = have && !p.eval_mode && !quiz_answer_hidden(state);
    const core::Index key = have ? p.partition.key_of(state.scene.focus) : core::Index{};
    std::ostringstream outlines;
    for (int64_t flat = 0; flat < s.numel(); ++flat) {
        const core::Index i = core::unflat_index(s, flat);
        const double x = state.tensor.data[flat];
        double v = x;
        float t = raw_color_range(state, i.c).t_of(x);
        if (state.scene.show_normalized && have) {
            v = core::normalize_value(x, p.stats[p.partition.group_of_flat(flat)], core::is_centered(p.spec),
                                      p.spec.eps);
            t = static_cast<float>(v / 3.0);
        }
        Rgb color = std::isnan(v) ? Rgb{128, 128, 128} : palette_color(state.scene.palette, t);
        const bool in_group = show_group && p.partition.key_of(i) == key;
        if (show_group && !in_group) color = mix(color, kCanvasBackground, 0.72f);
        const Vec2 c0 = cell_origin(layout, i);
        const float x0 = ox + c0.x * cell, y0 = oy + c0.y * cell;
        out << "<rect x=\"" << x0 << "\" y=\"" << y0 << "\" width=\"" << cell << "\" height=\"" << cell << "\" fill=\""
            << hex(color) << "\"/>\n";
        if (in_group)
            outlines << "<rect x=\"" << x0 + 1.5f << "\" y=\"" << y0 + 1.5f << "\" width=\"" << cell - 3
                     << "\" height=\"" << cell - 3 << "\" fill=\"none\" stroke=\"" << hex(kHighlight)
                     << "\" stroke-width=\"2.5\"/>\n";
        if (i == state.scene.focus)
            outlines << "<circle cx=\"" << x0 + cell * 0.5f << "\" cy=\"" << y0 + cell * 0.5f << "\" r=\""
                     << cell * 0.3f << "\" fill=\"none\" stroke=\"" << hex(kFocusRing) << "\" stroke-width=\"2.5\"/>\n";
    }
    out << outlines.str();
}

}  // namespace

void svg_panel_grid(int count, float panel_w, float panel_h, int& cols, int& rows) {
    float best = -1;
    cols = rows = 1;
    for (int c = 1; c <= std::max(count, 1); ++c) {
        const int r = (count + c - 1) / c;
        const float scale = std::min(16.0f / (c * panel_w), 9.0f / (r * panel_h));
        if (scale > best) best = scale, cols = c, rows = r;
    }
}

core::Result<std::string> view_to_svg(const AppState& state, const SvgOptions& o) {
    const core::Shape& s = state.tensor.shape;
    if (state.panels.empty() || state.tensor.data.empty())
        return core::make_error("nothing to export: no panel is shown");
    if (state.cube_view)
        return core::make_error(
            "SVG export draws the grid view, not the cubes shown; press K for the grid view, "
            "or save a PNG of the cubes");
    if (s.numel() > o.max_cells)
        return core::make_error("the tensor has " + std::to_string(s.numel()) + " cells; SVG export stops at " +
                                std::to_string(o.max_cells) + " per panel, so export a PNG instead");
    const GridLayout layout = make_grid_layout(s);
    const float cell = o.cell_px, font = cell * 0.6f;
    const float margin_left = font * 4, header = font * 2.6f, label_h = font * 1.4f;
    const SvgGrid g{layout, cell, font, margin_left, header + label_h};
    std::vector<std::string> titles;
    size_t longest = 0;  // in characters (UTF-8 continuation bytes not counted)
    for (const PanelDerived& p : state.panels) {
        titles.push_back(svg_panel_title(state, p));
        longest = std::max<size_t>(longest, std::count_if(titles.back().begin(), titles.back().end(),
                                                          [](char ch) { return (ch & 0xC0) != 0x80; }));
    }
    // Wide enough for the longest title too (DejaVu Sans averages under 0.62 em a character).
    const float panel_w = std::max(margin_left + layout.width() * cell + cell, font * (0.5f + 1.2f * 0.62f * longest));
    const float panel_h = header + label_h + layout.height() * cell + cell;
    // The panels as the window arranges them.
    const int count = static_cast<int>(state.panels.size());
    int cols = 1, rows = 1;
    svg_panel_grid(count, panel_w, panel_h, cols, rows);
    if (state.classroom.panel_columns > 0) {
        cols = std::min(state.classroom.panel_columns, count);
        rows = (count + cols - 1) / cols;
    }
    const float total_w = panel_w * cols, total_h = panel_h * rows;
    std::ostringstream out;
    out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << total_w << "\" height=\"" << total_h
        << "\" viewBox=\"0 0 " << total_w << " " << total_h << "\" font-family=\"DejaVu Sans, sans-serif\">\n";
    out << "<rect width=\"100%\" height=\"100%\" fill=\"" << hex(kCanvasBackground) << "\"/>\n";
    for (int pi = 0; pi < count; ++pi) {
        const PanelDerived& p = state.panels[pi];
        out << "<g id=\"panel-" << core::norm_name(p.spec.kind) << "\" transform=\"translate(" << (pi % cols) * panel_w
            << " " << (pi / cols) * panel_h << ")\">\n";
        out << "<text x=\"" << font * 0.5f << "\" y=\"" << font * 1.6f << "\" font-size=\"" << font * 1.2f
            << "\" fill=\"#ebebf0\">" << xml_escape(titles[pi]) << "</text>\n";
        write_svg_labels(out, s, g);
        write_svg_cells(out, state, p, g);
        out << "</g>\n";
    }
    out << "</svg>\n";
    return out.str();
}

std::string stats_to_csv(AppState& state) {
    std::string out = "norm,G,group,group_key,values_pooled,mean,variance,std,mean_sq,x,x_hat,y,note\n";
    const core::Index& f = state.scene.focus;
    for (const PanelDerived& p : state.panels) {
        std::string row = std::string(core::norm_name(p.spec.kind)) + "," +
                          (p.spec.kind == core::NormKind::Group ? std::to_string(p.spec.groups) : std::string()) + ",";
        if (p.stats.empty() || !core::contains(state.tensor.shape, f)) {
            out += row + ",,,,,,,,,," + csv_field(p.error) + "\n";
            continue;
        }
        const int64_t g = p.partition.group_of(f);
        const core::GroupStats& s = p.stats[g];
        const double x = state.tensor.at(f);
        const double xhat = core::normalize_value(x, s, core::is_centered(p.spec), p.spec.eps);
        const double gamma = state.affine.gamma.empty() ? 1.0 : state.affine.gamma[f.c];
        const double beta = state.affine.beta.empty() ? 0.0 : state.affine.beta[f.c];
        row += std::to_string(g) + "," + csv_field(core::key_to_string(p.partition, p.partition.key_of(f))) + "," +
               std::to_string(s.count) + "," + number17(s.mean) + "," + number17(s.var) + "," +
               number17(std::sqrt(s.var)) + "," + number17(s.mean_sq) + "," + number17(x) + "," + number17(xhat) + "," +
               number17(gamma * xhat + beta) + "," + csv_field(p.error) + "\n";
        out += row;
    }
    const Lesson* lesson = current_lesson(state);
    if (!lesson || !current_step(state)) return out;
    const ClaimResult& claim = current_claim(state);
    const std::string where = csv_field(lesson->id) + "," + std::to_string(state.classroom.step + 1) + ",";
    out += "\nlesson,step,label,value\n";
    if (!claim.error.empty()) return out + where + "error," + csv_field(claim.error) + "\n";
    out += where + "headline," + csv_field(claim.headline) + "\n";
    for (const ClaimRow& row : claim.rows) out += where + csv_field(row.label) + "," + csv_field(row.value) + "\n";
    return out;
}

float slide_font_size(float window_font, int width, int height) {
    const float scale = std::min(width / 1920.0f, height / 1080.0f);
    return std::min(48.0f, window_font * std::max(1.0f, scale));
}

core::Status write_text_file(const std::string& path, const std::string& text) {
    return core::write_file_safely(path, text);
}

}  // namespace normviz::app
