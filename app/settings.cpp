// Settings file: one "key=value" per line; values parsed with core's parsers.
#include "app/settings.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace normviz::app {

namespace {

std::filesystem::path settings_path() {
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    std::filesystem::path dir = xdg && *xdg ? std::filesystem::path(xdg)
                                : home && *home ? std::filesystem::path(home) / ".config"
                                                : std::filesystem::path();
    if (dir.empty()) return {};
    return dir / "normviz" / "settings.ini";
}

std::string shape_text(const core::Shape& s) {
    return std::to_string(s.N) + "," + std::to_string(s.C) + "," + std::to_string(s.H) + "," + std::to_string(s.W);
}

}  // namespace

Settings load_settings(AppState& state) {
    Settings settings;
    const auto path = settings_path();
    std::ifstream in(path);
    if (path.empty() || !in) return settings;
    settings.loaded = true;
    Scene& scene = state.scene;
    std::string line;
    while (std::getline(in, line)) {
        const size_t eq = line.find('=');
        if (eq == std::string::npos) continue;
        const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        const long long number = std::atoll(value.c_str());
        if (key == "window_width") settings.window_width = std::clamp<int>(int(number), 320, 16384);
        else if (key == "window_height") settings.window_height = std::clamp<int>(int(number), 240, 16384);
        else if (key == "font_size") state.font_size = std::clamp(float(std::atof(value.c_str())), 8.0f, 48.0f);
        else if (key == "shape") { if (auto s = core::parse_shape(value)) scene.shape = s.value(); }
        else if (key == "generator") { if (auto g = core::parse_generator(value)) scene.generator = g.value(); }
        else if (key == "seed") scene.seed = static_cast<uint64_t>(number);
        else if (key == "data_path") scene.data_path = value;
        else if (key == "layout") { if (auto l = core::parse_layout(value)) scene.layout = l.value(); }
        else if (key == "groups" && number >= 1) scene.groups = number;
        else if (key == "eps") { double e = std::atof(value.c_str()); if (e >= 0 && std::isfinite(e)) scene.eps = e; }
        else if (key == "custom_axes") { if (auto a = core::parse_axes(value)) scene.custom_axes = a.value(); }
        else if (key == "custom_center") scene.custom_center = number != 0;
        else if (key == "focus") { if (auto f = core::parse_index(value)) scene.focus = f.value(); }
        else if (key == "normalized") scene.show_normalized = number != 0;
        else if (key == "palette") scene.palette = number ? Palette::BlueOrange : Palette::BlueRed;
        else if (key == "color_scale") { if (auto c = parse_color_scale(value)) scene.color_scale = *c; }
        else if (key == "single_view") scene.single_view = number != 0;
        else if (key == "single_norm") { if (auto k = core::parse_norm_name(value)) scene.single_norm = k.value(); }
        else if (key == "compared") {
            std::vector<core::NormKind> kinds;
            std::stringstream names(value);
            for (std::string name; std::getline(names, name, ',');)
                if (auto k = core::parse_norm_name(name)) kinds.push_back(k.value());
            if (!kinds.empty()) scene.compared = kinds;
        }
    }
    return settings;
}

void save_settings(const AppState& state, int window_width, int window_height) {
    const auto path = settings_path();
    if (path.empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    const Scene& s = state.scene;
    std::string compared;
    for (core::NormKind k : s.compared) compared += (compared.empty() ? "" : ",") + std::string(core::norm_name(k));
    char eps[32];
    std::snprintf(eps, sizeof eps, "%.17g", s.eps);
    std::ostringstream out;
    out << "window_width=" << window_width << "\nwindow_height=" << window_height << "\nfont_size=" << state.font_size
        << "\nshape=" << shape_text(s.shape) << "\ngenerator=" << core::generator_name(s.generator)
        << "\nseed=" << s.seed << "\ndata_path=" << s.data_path
        << "\nlayout=" << (s.layout ? core::layout_name(*s.layout) : "") << "\ncompared=" << compared
        << "\nsingle_view=" << s.single_view << "\nsingle_norm=" << core::norm_name(s.single_norm)
        << "\ngroups=" << s.groups << "\neps=" << eps << "\ncustom_axes=" << core::axes_to_string(s.custom_axes)
        << "\ncustom_center=" << s.custom_center << "\nfocus=" << s.focus.n << "," << s.focus.c << "," << s.focus.h
        << "," << s.focus.w << "\nnormalized=" << s.show_normalized
        << "\npalette=" << (s.palette == Palette::BlueOrange ? 1 : 0)
        << "\ncolor_scale=" << color_scale_name(s.color_scale) << "\n";
    const auto tmp = path.string() + ".tmp";
    {
        std::ofstream file(tmp, std::ios::trunc);
        file << out.str();
        if (!file) return;
    }
    std::filesystem::rename(tmp, path, ec);
}

}  // namespace normviz::app
