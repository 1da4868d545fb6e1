// Scene files: JSON <-> Scene with every field checked, so a bad or foreign file is one clear
// sentence and never an exception or a half-applied scene.
#include "app/model/scene_io.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "app/model/scene_json.h"
#include "core/input_file.h"
#include "core/json_depth.h"
#include "core/safe_file.h"
#include "core/scenarios.h"

namespace normviz::app {

namespace {

using nlohmann::json;

const char* palette_name(Palette p) { return p == Palette::BlueOrange ? "colour-blind" : "blue-red"; }

// Every field a scene may carry; anything else is a typo or a foreign file.
constexpr const char* kSceneFields[] = {
    "normviz_scene", "shape",       "generator", "seed",    "data_file",   "norms",
    "view",          "single_norm", "groups",    "eps",     "custom_axes", "custom_center",
    "focus",         "values",      "palette",   "devices", "lengths",     "batchnorm_eval",
    "lesson",        "picture",     "layout",    "running", "color_scale", "data_file_bytes",
    "running_bytes"};

// Whether `text` is valid UTF-8 (JSON strings must be; file names need not be).
bool is_utf8(const std::string& text) {
    const size_t n = text.size();
    auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    for (size_t i = 0; i < n;) {
        const unsigned char c = byte(i);
        size_t extra = 0;
        if (c < 0x80) extra = 0;
        else if (c >= 0xc2 && c <= 0xdf) extra = 1;
        else if (c >= 0xe0 && c <= 0xef) extra = 2;
        else if (c >= 0xf0 && c <= 0xf4) extra = 3;
        else return false;
        if (n - i <= extra) return false;
        for (size_t k = 1; k <= extra; ++k)
            if ((byte(i + k) & 0xc0) != 0x80) return false;
        const unsigned char c1 = extra > 0 ? byte(i + 1) : 0x80;
        if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) ||
            (c == 0xf4 && c1 > 0x8f))
            return false;  // overlong, a surrogate, or past U+10FFFF
        i += extra + 1;
    }
    return true;
}

std::string to_hex(const std::string& bytes) {
    static const char kDigits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
    }
    return out;
}

std::optional<std::string> from_hex(const std::string& hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    auto digit = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    std::string out;
    for (size_t i = 0; i < hex.size(); i += 2) {
        const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

// Reads fields of one object with the error prefix "<name>: field '<key>' ...".
class Reader {
public:
    Reader(const json& object, const std::string& name) : object_(object), name_(name) {}

    core::Error error(const std::string& key, const std::string& what) const {
        return core::make_error(name_ + ": field '" + key + "' " + what);
    }
    const json* find(const char* key) const {
        auto it = object_.find(key);
        return it == object_.end() ? nullptr : &*it;
    }
    // Integer in [lo, hi]; absent leaves `out`.
    core::Status integer(const char* key, int64_t lo, int64_t hi, int64_t& out) const {
        const json* v = find(key);
        if (!v) return core::Ok{};
        if (!v->is_number_integer()) return error(key, "must be a whole number, not " + type_of(*v));
        // nlohmann stores non-negative literals as unsigned: bound that first, then compare signed.
        if ((v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(hi)) || v->get<int64_t>() < lo ||
            v->get<int64_t>() > hi)
            return error(
                key, "is " + v->dump() + "; it must be between " + std::to_string(lo) + " and " + std::to_string(hi));
        out = v->get<int64_t>();
        return core::Ok{};
    }
    core::Status string(const char* key, std::string& out) const {
        const json* v = find(key);
        if (!v) return core::Ok{};
        if (!v->is_string()) return error(key, "must be a string, not " + type_of(*v));
        out = v->get<std::string>();
        return core::Ok{};
    }
    core::Status boolean(const char* key, bool& out) const {
        const json* v = find(key);
        if (!v) return core::Ok{};
        if (!v->is_boolean()) return error(key, "must be true or false, not " + type_of(*v));
        out = v->get<bool>();
        return core::Ok{};
    }
    // Array of exactly `count` integers (count < 0: any length up to max_count), each >= lo.
    core::Status integers(const char* key, int count, int64_t lo, std::vector<int64_t>& out,
                          size_t max_count = 4096) const {
        const json* v = find(key);
        if (!v) return core::Ok{};
        if (!v->is_array()) return error(key, "must be a list of whole numbers, not " + type_of(*v));
        if (count >= 0 && v->size() != static_cast<size_t>(count))
            return error(key, "must have " + std::to_string(count) + " numbers, not " + std::to_string(v->size()));
        if (v->size() > max_count)
            return error(key, "has " + std::to_string(v->size()) + " numbers; at most " + std::to_string(max_count) +
                                  " are allowed");
        std::vector<int64_t> values;
        for (const json& e : *v) {
            if (!e.is_number_integer() || (e.is_number_unsigned() && e.get<uint64_t>() > uint64_t{1} << 62) ||
                e.get<int64_t>() < lo)
                return error(key, "must hold whole numbers >= " + std::to_string(lo) + "; " + e.dump() + " is not one");
            values.push_back(e.get<int64_t>());
        }
        out = std::move(values);
        return core::Ok{};
    }

    static std::string type_of(const json& v) {
        if (v.is_null()) return "null";
        if (v.is_boolean()) return "true/false";
        if (v.is_number()) return "a number";
        if (v.is_string()) return "a string";
        if (v.is_array()) return "a list";
        return "an object";
    }

private:
    const json& object_;
    const std::string& name_;
};

#define NORMVIZ_TRY(expr)                             \
    do {                                              \
        if (auto s_ = (expr); !s_) return s_.error(); \
    } while (0)

// Shape, generator, seed and data file (with its layout and running statistics), read first
// because every later field is checked against the shape they give.
// A file name: `field` as UTF-8 text, or, for a name that is not UTF-8, its bytes in hex in
// `bytes_field` (scene_to_json writes both; the bytes win).
core::Status read_file_name(const Reader& r, const char* field, const char* bytes_field, const char* what,
                            std::string& out) {
    NORMVIZ_TRY(r.string(field, out));
    // A file name cannot hold NUL: the name would be cut there and another file opened.
    if (out.find('\0') != std::string::npos)
        return r.error(field, std::string("must be ") + what + " without a NUL character (\\u0000)");
    if (!r.find(bytes_field)) return core::Ok{};
    std::string hex;
    NORMVIZ_TRY(r.string(bytes_field, hex));
    auto bytes = from_hex(hex);
    if (!bytes || bytes->empty() || bytes->find('\0') != std::string::npos)
        return r.error(bytes_field, std::string("must be ") + what + " as lowercase hex digits, two per byte");
    out = *bytes;
    return core::Ok{};
}

core::Status read_data_fields(const Reader& r, const std::string& name, Scene& s) {
    std::vector<int64_t> v;
    std::string text;
    if (r.find("shape")) {
        NORMVIZ_TRY(r.integers("shape", 4, 1, v));
        core::Shape shape{v[0], v[1], v[2], v[3]};
        if (auto ok = core::validate_shape(shape); !ok) return core::make_error(name + ": " + ok.error().message);
        if (shape.numel() > kSceneMaxElements)
            return core::make_error(name + ": shape " + core::to_string(shape) + " has " +
                                    std::to_string(shape.numel()) + " values; a scene may generate at most " +
                                    std::to_string(kSceneMaxElements) +
                                    " (load larger data from a .npy file with data_file)");
        s.shape = shape;
    }
    if (r.find("generator")) {
        NORMVIZ_TRY(r.string("generator", text));
        auto g = core::parse_generator(text);
        if (!g) return core::make_error(name + ": " + g.error().message);
        s.generator = g.value();
    }
    if (const json* seed = r.find("seed")) {
        if (!seed->is_number_integer() || (!seed->is_number_unsigned() && seed->get<int64_t>() < 0))
            return r.error("seed", "must be a whole number >= 0, not " + seed->dump());
        s.seed = seed->get<uint64_t>();
    }
    NORMVIZ_TRY(read_file_name(r, "data_file", "data_file_bytes", "the data file's name", s.data_path));
    // A data file without "shape" gives the shape when it is opened: what depends on the shape
    // (G, focus, devices, lengths) is then checked against the file by apply_scene.
    const bool shape_from_file = !s.data_path.empty() && !r.find("shape");
    s.shape_from_file = shape_from_file;
    if (r.find("layout")) {
        if (s.data_path.empty()) return r.error("layout", "says how a data_file's axes are read; add \"data_file\"");
        NORMVIZ_TRY(r.string("layout", text));
        auto layout = core::parse_layout(text);
        if (!layout) return core::make_error(name + ": " + layout.error().message);
        s.layout = layout.value();
    } else if (s.data_path.empty()) {
        s.layout.reset();
    }
    if (r.find("running")) {
        if (s.data_path.empty())
            return r.error("running", "gives a data_file its model's running statistics; add \"data_file\"");
        NORMVIZ_TRY(
            read_file_name(r, "running", "running_bytes", "the checkpoint's name and :PREFIX", s.running_source));
    } else if (s.data_path.empty()) {
        s.running_source.clear();
    }
    return core::Ok{};
}

// Which norms are shown and how they are set up (norms, view, single_norm, groups, eps, custom axes).
core::Status read_norm_fields(const Reader& r, const std::string& name, Scene& s, bool shape_from_file) {
    std::string text;
    int64_t number = 0;
    if (const json* norms = r.find("norms")) {
        if (!norms->is_array() || norms->empty() || norms->size() > std::size(core::kNorms))
            return r.error("norms", "must be a list of 1 to " + std::to_string(std::size(core::kNorms)) +
                                        " norm names, e.g. [\"batch\", \"layer\"]");
        std::vector<core::NormKind> kinds;
        for (const json& e : *norms) {
            if (!e.is_string()) return r.error("norms", "must hold norm names (strings), not " + Reader::type_of(e));
            auto k = core::parse_norm_name(e.get<std::string>());
            if (!k) return core::make_error(name + ": " + k.error().message);
            for (core::NormKind seen : kinds)
                if (seen == k.value()) return r.error("norms", "lists '" + e.get<std::string>() + "' twice");
            kinds.push_back(k.value());
        }
        s.compared = kinds;
    }
    if (r.find("view")) {
        NORMVIZ_TRY(r.string("view", text));
        if (text != "compare" && text != "single")
            return r.error("view", "is '" + text + "'; use \"compare\" or \"single\"");
        s.single_view = text == "single";
    }
    if (r.find("single_norm")) {
        NORMVIZ_TRY(r.string("single_norm", text));
        auto k = core::parse_norm_name(text);
        if (!k) return core::make_error(name + ": " + k.error().message);
        s.single_norm = k.value();
    } else if (r.find("norms") && s.single_view) {
        s.single_norm = s.compared.front();
    }
    number = s.groups;
    if (!r.find("groups")) {  // an inherited G follows the shape: the largest divisor of C <= G
        number = std::clamp<int64_t>(number, 1, s.shape.C);
        while (s.shape.C % number != 0) --number;
    }
    NORMVIZ_TRY(r.integer("groups", 1, shape_from_file ? core::kMaxElements : s.shape.C, number));
    if (!shape_from_file && s.shape.C % number != 0)
        return r.error("groups", "is " + std::to_string(number) + " but C = " + std::to_string(s.shape.C) +
                                     " is not divisible by it; GroupNorm needs a divisor of C");
    s.groups = number;
    if (const json* eps = r.find("eps")) {
        if (!eps->is_number() || !std::isfinite(eps->get<double>()) || eps->get<double>() < 0 || eps->get<double>() > 1)
            return r.error("eps", "must be a number from 0 to 1, e.g. 1e-5, not " + eps->dump());
        s.eps = eps->get<double>();
    }
    if (r.find("custom_axes")) {
        NORMVIZ_TRY(r.string("custom_axes", text));
        auto axes = core::parse_axes(text);
        if (!axes) return core::make_error(name + ": " + axes.error().message);
        s.custom_axes = axes.value();
    }
    NORMVIZ_TRY(r.boolean("custom_center", s.custom_center));
    return core::Ok{};
}

// The focused value and how values are drawn (focus, values, palette, color_scale, picture).
core::Status read_focus_and_view_fields(const Reader& r, Scene& s, bool shape_from_file) {
    std::vector<int64_t> v;
    std::string text;
    if (r.find("focus")) {
        NORMVIZ_TRY(r.integers("focus", 4, 0, v));
        s.focus = {v[0], v[1], v[2], v[3]};
    } else {  // an inherited focus follows the shape, as G does: clamped into it
        s.focus = {std::min(s.focus.n, s.shape.N - 1), std::min(s.focus.c, s.shape.C - 1),
                   std::min(s.focus.h, s.shape.H - 1), std::min(s.focus.w, s.shape.W - 1)};
    }
    if (!shape_from_file && !core::contains(s.shape, s.focus))
        return r.error("focus", "is " + core::to_string(s.focus) + ", outside the shape " + core::to_string(s.shape) +
                                    "; each coordinate must be below its extent");
    if (r.find("values")) {
        NORMVIZ_TRY(r.string("values", text));
        if (text != "raw" && text != "normalized")
            return r.error("values", "is '" + text + "'; use \"raw\" or \"normalized\"");
        s.show_normalized = text == "normalized";
    }
    if (r.find("palette")) {
        NORMVIZ_TRY(r.string("palette", text));
        if (text != "blue-red" && text != "colour-blind")
            return r.error("palette", "is '" + text + "'; use \"blue-red\" or \"colour-blind\"");
        s.palette = text == "colour-blind" ? Palette::BlueOrange : Palette::BlueRed;
    }
    if (r.find("color_scale")) {
        NORMVIZ_TRY(r.string("color_scale", text));
        auto scale = parse_color_scale(text);
        if (!scale)
            return r.error("color_scale", "is '" + text +
                                              "'; use \"symmetric\", \"min-max\", \"percentile\", "
                                              "\"channel-min-max\" or \"channel-percentile\"");
        s.color_scale = *scale;
    }
    if (r.find("picture")) {
        NORMVIZ_TRY(r.string("picture", text));
        s.picture = parse_picture(text);
        if (!s.picture) return r.error("picture", "is '" + text + "'; use \"grid\", \"cube\" or \"cube-hw\"");
    }
    return core::Ok{};
}

// The teaching scenario: devices for the batch split, sequence lengths, BatchNorm in eval mode.
core::Status read_teaching_fields(const Reader& r, const std::string& name, Scene& s, bool shape_from_file) {
    std::vector<int64_t> v;
    int64_t number = r.find("devices") || core::validate_batch_split(s.shape, s.devices) ? s.devices : 1;
    NORMVIZ_TRY(r.integer("devices", 1, shape_from_file ? core::kMaxElements : s.shape.N, number));
    if (number > 1 && !shape_from_file)
        if (auto ok = core::validate_batch_split(s.shape, number); !ok)
            return core::make_error(name + ": " + ok.error().message);
    s.devices = number;
    if (r.find("lengths")) {
        NORMVIZ_TRY(r.integers("lengths", -1, 1, v));
        if (!v.empty() && !shape_from_file)
            if (auto ok = core::validate_lengths(s.shape, v); !ok)
                return core::make_error(name + ": " + ok.error().message);
        s.lengths = v;
    } else if (!s.lengths.empty() && !core::validate_lengths(s.shape, s.lengths)) {
        s.lengths.clear();  // inherited lengths that no longer fit the shape
    }
    NORMVIZ_TRY(r.boolean("batchnorm_eval", s.batchnorm_eval));
    return core::Ok{};
}

// The lesson and step the scene was saved at; a step needs its lesson.
core::Status read_lesson_field(const Reader& r, const std::string& name, Scene& s) {
    if (const json* lesson = r.find("lesson")) {
        if (!lesson->is_object()) return r.error("lesson", "must be an object {\"id\": ..., \"step\": ...}");
        Reader lr(*lesson, name);
        for (auto it = lesson->begin(); it != lesson->end(); ++it)
            if (it.key() != "id" && it.key() != "step")
                return core::make_error(name + ": unknown field '" + it.key() + "' in \"lesson\"");
        NORMVIZ_TRY(lr.string("id", s.lesson_id));
        // A step means nothing without its lesson, and scene_to_json writes neither then.
        if (s.lesson_id.empty())
            return r.error("lesson", "needs an \"id\" naming the lesson, e.g. {\"id\": \"padding\", \"step\": 1}");
        int64_t step = s.lesson_step;
        NORMVIZ_TRY(lr.integer("step", 0, 999, step));
        s.lesson_step = static_cast<int>(step);
    }
    return core::Ok{};
}

core::Result<Scene> scene_from_object(const json& object, const std::string& name, bool require_marker,
                                      const Scene& base) {
    if (!object.is_object())
        return core::make_error(name + ": a scene must be a JSON object {...}, not " + Reader::type_of(object));
    Reader r(object, name);
    if (require_marker) {
        const json* marker = r.find("normviz_scene");
        if (!marker)
            return core::make_error(name +
                                    " is not a normviz scene (it has no \"normviz_scene\" field); "
                                    "save one with File > Save scene");
        if (!marker->is_number_integer() || marker->get<int64_t>() != kSceneFormatVersion)
            return core::make_error(name + ": \"normviz_scene\" is " + marker->dump() +
                                    "; this normviz reads version " + std::to_string(kSceneFormatVersion));
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool known = false;
        for (const char* f : kSceneFields) known |= it.key() == f;
        if (!known) return core::make_error(name + ": unknown field '" + it.key() + "' in the scene");
    }

    Scene s = base;
    NORMVIZ_TRY(read_data_fields(r, name, s));
    NORMVIZ_TRY(read_norm_fields(r, name, s, s.shape_from_file));
    NORMVIZ_TRY(read_focus_and_view_fields(r, s, s.shape_from_file));
    NORMVIZ_TRY(read_teaching_fields(r, name, s, s.shape_from_file));
    NORMVIZ_TRY(read_lesson_field(r, name, s));
    return s;
}

#undef NORMVIZ_TRY

// Keeps an error on one line: control characters from the file (a key or a string value
// with "\n" in it) become '?', as in the .npy reader's messages.
core::Result<Scene> one_line(core::Result<Scene> result) {
    if (result) return result;
    std::string message = result.error().message;
    for (char& ch : message)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    return core::make_error(std::move(message));
}

}  // namespace

core::Result<Scene> scene_from_json(const nlohmann::json& object, const std::string& name, bool require_marker,
                                    const Scene& base) {
    try {
        return one_line(scene_from_object(object, name, require_marker, base));
    } catch (const std::exception& e) {
        return core::make_error(name + ": " + e.what());
    }
}

core::Result<Scene> parse_scene_json(const std::string& text, const std::string& name) {
    try {
        if (core::json_nesting_depth(text, core::kMaxJsonDepth) > core::kMaxJsonDepth)
            return core::make_error(name + " nests lists or objects more than " + std::to_string(core::kMaxJsonDepth) +
                                    " levels deep; a scene file is a flat object, so this is not one");
        json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (object.is_discarded())
            return core::make_error(name +
                                    " is not valid JSON; a scene file looks like {\"normviz_scene\": 1, "
                                    "\"shape\": [4, 6, 4, 4], ...}");
        return one_line(scene_from_object(object, name, true, Scene{}));
    } catch (const std::exception& e) {
        return core::make_error(name + ": " + e.what());
    }
}

std::string scene_to_json(const Scene& s, int indent) {
    json o = json::object();
    o["normviz_scene"] = kSceneFormatVersion;
    if (!s.shape_from_file) o["shape"] = {s.shape.N, s.shape.C, s.shape.H, s.shape.W};
    o["generator"] = core::generator_name(s.generator);
    o["seed"] = s.seed;
    if (!s.data_path.empty()) o["data_file"] = s.data_path;
    // JSON holds only UTF-8: another file name is kept exactly as hex bytes, and "data_file"
    // shows it readably (invalid bytes as U+FFFD).
    if (!s.data_path.empty() && !is_utf8(s.data_path)) o["data_file_bytes"] = to_hex(s.data_path);
    if (!s.data_path.empty() && s.layout) o["layout"] = core::layout_name(*s.layout);
    if (!s.data_path.empty() && !s.running_source.empty()) {
        o["running"] = s.running_source;
        if (!is_utf8(s.running_source)) o["running_bytes"] = to_hex(s.running_source);
    }
    json norms = json::array();
    for (core::NormKind k : s.compared) norms.push_back(core::norm_name(k));
    o["norms"] = norms;
    o["view"] = s.single_view ? "single" : "compare";
    o["single_norm"] = core::norm_name(s.single_norm);
    o["groups"] = s.groups;
    o["eps"] = s.eps;
    o["custom_axes"] = core::axes_to_string(s.custom_axes);
    o["custom_center"] = s.custom_center;
    o["focus"] = {s.focus.n, s.focus.c, s.focus.h, s.focus.w};
    o["values"] = s.show_normalized ? "normalized" : "raw";
    o["palette"] = palette_name(s.palette);
    if (s.color_scale != ColorScale::Symmetric) o["color_scale"] = color_scale_name(s.color_scale);
    if (s.picture) o["picture"] = picture_name(*s.picture);
    if (s.devices != 1) o["devices"] = s.devices;
    if (!s.lengths.empty()) o["lengths"] = s.lengths;
    if (s.batchnorm_eval) o["batchnorm_eval"] = true;
    if (!s.lesson_id.empty()) o["lesson"] = {{"id", s.lesson_id}, {"step", s.lesson_step}};
    // Replace invalid UTF-8 (a path from a foreign file system) instead of throwing.
    return o.dump(indent, ' ', false, json::error_handler_t::replace) + "\n";
}

core::Result<Scene> read_scene_file(const std::string& path) {
    // Regular files only, at most kSceneMaxFileBytes: a FIFO or /dev/zero is refused unread.
    auto text = core::read_small_file(path, kSceneMaxFileBytes, "a scene file");
    if (!text) return text.error();
    auto scene = parse_scene_json(text.value(), std::filesystem::path(path).filename().string());
    if (!scene) return scene;
    Scene& s = scene.value();
    if (!s.data_path.empty() && std::filesystem::path(s.data_path).is_relative())
        s.data_path = (std::filesystem::path(path).parent_path() / s.data_path).lexically_normal().string();
    return scene;
}

core::Status write_scene_file(const std::string& path, const Scene& scene) {
    return core::write_file_safely(path, scene_to_json(scene));
}

const char* picture_name(Picture picture) {
    return picture == Picture::Grid ? "grid" : picture == Picture::Cube ? "cube" : "cube-hw";
}

std::optional<Picture> parse_picture(const std::string& name) {
    for (Picture p : {Picture::Grid, Picture::Cube, Picture::CubeHw})
        if (name == picture_name(p)) return p;
    return std::nullopt;
}

bool same_scene(const Scene& a, const Scene& b) {
    return a.shape == b.shape && a.generator == b.generator && a.seed == b.seed && a.data_path == b.data_path &&
           a.compared == b.compared && a.single_view == b.single_view && a.single_norm == b.single_norm &&
           a.groups == b.groups && a.eps == b.eps && a.custom_axes == b.custom_axes &&
           a.custom_center == b.custom_center && a.focus == b.focus && a.show_normalized == b.show_normalized &&
           a.palette == b.palette && a.color_scale == b.color_scale && a.devices == b.devices &&
           a.lengths == b.lengths && a.batchnorm_eval == b.batchnorm_eval && a.lesson_id == b.lesson_id &&
           a.lesson_step == b.lesson_step && a.picture == b.picture && a.layout == b.layout &&
           a.running_source == b.running_source && a.shape_from_file == b.shape_from_file;
}

}  // namespace normviz::app
