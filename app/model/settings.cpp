// Settings file: one "key=value" per line; values parsed with core's parsers.
#include "app/model/settings.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>
#include <sstream>

#include "app/model/scene_io.h"
#include "core/input_file.h"
#include "core/safe_file.h"

namespace normviz::app {

namespace {

std::filesystem::path settings_path() {
    // A relative XDG_CONFIG_HOME is invalid (XDG Base Directory spec): it is ignored.
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    std::filesystem::path dir = xdg && *xdg == '/' ? std::filesystem::path(xdg)
                                : home && *home    ? std::filesystem::path(home) / ".config"
                                                   : std::filesystem::path();
    if (dir.empty()) return {};
    return dir / "normviz" / "settings.ini";
}

std::string shape_text(const core::Shape& s) {
    return std::to_string(s.N) + "," + std::to_string(s.C) + "," + std::to_string(s.H) + "," + std::to_string(s.W);
}

// The whole value as a base-10 integer in [lo, hi]; nothing else (no "12abc", no "").
std::optional<long long> whole_number(const std::string& text, long long lo, long long hi) {
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || v < lo || v > hi) return std::nullopt;
    return v;
}

// The whole value as a finite number in [lo, hi] ("nan", "inf", "1e999", "18px" are not).
std::optional<double> finite_number(const std::string& text, double lo, double hi) {
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(v) || v < lo || v > hi) return std::nullopt;
    return v;
}

// A 0/1 value into `out`; false when the value is neither.
bool read_flag(const std::string& value, bool& out) {
    auto v = whole_number(value, 0, 1);
    if (v) out = *v != 0;
    return v.has_value();
}

// The window keys (size, font); kept apart because they go to Settings, not to the scene.
std::optional<bool> apply_window_setting(const std::string& key, const std::string& value, Settings& settings) {
    if (key == "window_width" || key == "window_height") {
        auto v = whole_number(value, 64, 16384);
        if (v) (key == "window_width" ? settings.window_width : settings.window_height) = static_cast<int>(*v);
        return v.has_value();
    }
    if (key == "font_size") {
        auto v = finite_number(value, 8, 48);
        if (v) settings.font_size = static_cast<float>(*v);
        return v.has_value();
    }
    return std::nullopt;
}

// The data keys (shape, generator, seed, data file and its layout).
std::optional<bool> apply_data_setting(const std::string& key, const std::string& value, Scene& scene) {
    if (key == "shape") {
        // Larger shapes come from files; generating one at start could only fail, every time.
        auto v = core::parse_shape(value);
        if (!v || v.value().numel() > kSceneMaxElements) return false;
        scene.shape = v.value();
        return true;
    }
    if (key == "generator") {
        auto v = core::parse_generator(value);
        if (v) scene.generator = v.value();
        return v.ok();
    }
    if (key == "seed") {
        auto v = whole_number(value, 0, std::numeric_limits<long long>::max());
        if (v) scene.seed = static_cast<uint64_t>(*v);
        return v.has_value();
    }
    if (key == "data_path") {
        scene.data_path = value;
        return true;
    }
    if (key == "layout") {
        if (value.empty()) return true;  // the rank's default
        auto v = core::parse_layout(value);
        if (v) scene.layout = v.value();
        return v.ok();
    }
    return std::nullopt;
}

// How the norms are set up (groups, eps, the custom norm's axes and centering).
std::optional<bool> apply_norm_setup_setting(const std::string& key, const std::string& value, Scene& scene) {
    if (key == "groups") {
        auto v = whole_number(value, 1, std::numeric_limits<int64_t>::max());
        if (v) scene.groups = *v;
        return v.has_value();
    }
    if (key == "eps") {
        auto v = finite_number(value, 0, 1);
        if (v) scene.eps = *v;
        return v.has_value();
    }
    if (key == "custom_axes") {
        auto v = core::parse_axes(value);
        if (v) scene.custom_axes = v.value();
        return v.ok();
    }
    if (key == "custom_center") return read_flag(value, scene.custom_center);
    return std::nullopt;
}

// How values are shown (focus, raw or normalized, palette, colour scale).
std::optional<bool> apply_view_setting(const std::string& key, const std::string& value, Scene& scene) {
    if (key == "focus") {
        auto v = core::parse_index(value);
        if (v) scene.focus = v.value();
        return v.ok();
    }
    if (key == "normalized") return read_flag(value, scene.show_normalized);
    if (key == "palette") {
        bool blue_orange = false;
        if (!read_flag(value, blue_orange)) return false;
        scene.palette = blue_orange ? Palette::BlueOrange : Palette::BlueRed;
        return true;
    }
    if (key == "color_scale") {
        auto v = parse_color_scale(value);
        if (v) scene.color_scale = *v;
        return v.has_value();
    }
    return std::nullopt;
}

// Which norms are shown (one or the compared list).
std::optional<bool> apply_compared_setting(const std::string& key, const std::string& value, Scene& scene) {
    if (key == "single_view") return read_flag(value, scene.single_view);
    if (key == "single_norm") {
        auto v = core::parse_norm_name(value);
        if (v) scene.single_norm = v.value();
        return v.ok();
    }
    if (key == "compared") {
        std::vector<core::NormKind> kinds;
        size_t start = 0;
        while (start <= value.size()) {
            const size_t comma = std::min(value.find(',', start), value.size());
            auto k = core::parse_norm_name(value.substr(start, comma - start));
            if (!k) return false;
            kinds.push_back(k.value());
            start = comma + 1;
        }
        scene.compared = kinds;
        return true;
    }
    return std::nullopt;
}

// Applies one key; false when the key is unknown or its value is not one it takes.
bool apply_setting(const std::string& key, const std::string& value, Scene& scene, Settings& settings) {
    if (auto applied = apply_window_setting(key, value, settings)) return *applied;
    if (auto applied = apply_data_setting(key, value, scene)) return *applied;
    if (auto applied = apply_norm_setup_setting(key, value, scene)) return *applied;
    if (auto applied = apply_view_setting(key, value, scene)) return *applied;
    if (auto applied = apply_compared_setting(key, value, scene)) return *applied;
    return false;
}

}  // namespace

Settings parse_settings(const std::string& text, const std::string& name, Scene& scene) {
    Settings settings;
    settings.loaded = true;
    size_t start = 0;
    for (int line_number = 1; start < text.size(); ++line_number) {
        const size_t end = std::min(text.find('\n', start), text.size());
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        const size_t eq = line.find('=');
        if (line.empty()) continue;
        const std::string key = line.substr(0, std::min(eq, line.size()));
        const std::string value = eq == std::string::npos ? "" : line.substr(eq + 1);
        if (eq == std::string::npos || !apply_setting(key, value, scene, settings)) {
            std::string shown = line.substr(0, 80);
            for (char& ch : shown)
                if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
            settings.ignored.push_back(name + ":" + std::to_string(line_number) + ": ignored '" + shown +
                                       "'; the default is kept");
        }
    }
    return settings;
}

Settings load_settings(Scene& scene) {
    Settings settings;
    const auto path = settings_path();
    if (path.empty()) return settings;
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::symlink_status(path, ec))) return settings;
    // A FIFO or device in its place is refused unread; the file is small.
    auto text = core::read_small_file(path.string(), kMaxSettingsBytes, "a settings file");
    if (!text) {
        settings.ignored.push_back(text.error().message + "; defaults are used");
        return settings;
    }
    return parse_settings(text.value(), path.string(), scene);
}

core::Status save_settings(const Scene& s, const core::Shape& tensor_shape, float font_size, int window_width,
                           int window_height) {
    const auto path = settings_path();
    if (path.empty()) return core::Ok{};
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    // Only what loaded: the tensor's shape (a typed shape that failed is not remembered), and
    // a data path only when it cannot break the one-line-per-key format.
    const bool path_fits = s.data_path.find_first_of("\r\n") == std::string::npos;
    const bool generatable = tensor_shape.numel() <= kSceneMaxElements;
    std::string compared;
    for (core::NormKind k : s.compared) compared += (compared.empty() ? "" : ",") + std::string(core::norm_name(k));
    char eps[32];
    std::snprintf(eps, sizeof eps, "%.17g", s.eps);
    std::ostringstream out;
    out << "window_width=" << window_width << "\nwindow_height=" << window_height << "\nfont_size=" << font_size
        << (generatable ? "\nshape=" + shape_text(tensor_shape) : std::string())
        << "\ngenerator=" << core::generator_name(s.generator) << "\nseed=" << s.seed
        << "\ndata_path=" << (path_fits ? s.data_path : "")
        << "\nlayout=" << (s.layout ? core::layout_name(*s.layout) : "") << "\ncompared=" << compared
        << "\nsingle_view=" << s.single_view << "\nsingle_norm=" << core::norm_name(s.single_norm)
        << "\ngroups=" << s.groups << "\neps=" << eps << "\ncustom_axes=" << core::axes_to_string(s.custom_axes)
        << "\ncustom_center=" << s.custom_center << "\nfocus=" << s.focus.n << "," << s.focus.c << "," << s.focus.h
        << "," << s.focus.w << "\nnormalized=" << s.show_normalized
        << "\npalette=" << (s.palette == Palette::BlueOrange ? 1 : 0)
        << "\ncolor_scale=" << color_scale_name(s.color_scale) << "\n";
    return core::write_file_safely(path.string(), out.str());
}

}  // namespace normviz::app
