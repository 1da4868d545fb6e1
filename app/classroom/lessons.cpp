// Lesson files: parsing (scene per step through scene_json.h) and the embedded library.
#include "app/classroom/lessons.h"

#include <cmath>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/classroom/embedded_assets.h"
#include "app/classroom/lesson_numbers.h"
#include "app/model/scene_json.h"
#include "core/json_depth.h"

namespace normviz::app {

namespace {

using nlohmann::json;

core::Result<std::string> text_field(const json& o, const char* key, const std::string& where, bool required) {
    auto it = o.find(key);
    if (it == o.end()) {
        if (required) return core::make_error(where + " has no \"" + key + "\"");
        return std::string();
    }
    if (!it->is_string()) return core::make_error(where + ": \"" + key + "\" must be a string");
    return it->get<std::string>();
}

// "see": {"lesson": ID, "step": K}, the live step that shows why; optional.
core::Status parse_see(const json& s, const std::string& where, LessonStep& step) {
    auto see = s.find("see");
    if (see == s.end()) return core::Ok{};
    // Checked against the shipped lessons by a test (they may not be parsed yet here).
    const auto lesson_id = see->is_object() ? see->find("lesson") : see->end();
    const auto step_no = see->is_object() ? see->find("step") : see->end();
    if (lesson_id == see->end() || !lesson_id->is_string() || step_no == see->end() || !step_no->is_number_integer() ||
        step_no->get<int64_t>() < 1 || step_no->get<int64_t>() > 100)
        return core::make_error(where + ": \"see\" must be {\"lesson\": ID, \"step\": 1..100}");
    step.see_lesson = lesson_id->get<std::string>();
    step.see_step = static_cast<int>(step_no->get<int64_t>());
    return core::Ok{};
}

core::Result<Lesson> parse_lesson(const json& root, const std::string& name) {
    if (!root.is_object()) return core::make_error(name + ": a lesson must be a JSON object");
    auto marker = root.find("normviz_lesson");
    if (marker == root.end())
        return core::make_error(name + " is not a normviz lesson (it has no \"normviz_lesson\" field)");
    if (!marker->is_number_integer() || marker->get<int64_t>() != kLessonFormatVersion)
        return core::make_error(name + ": \"normviz_lesson\" is " + marker->dump() + "; this normviz reads version " +
                                std::to_string(kLessonFormatVersion));
    for (auto it = root.begin(); it != root.end(); ++it)
        if (it.key() != "normviz_lesson" && it.key() != "id" && it.key() != "title" && it.key() != "steps")
            return core::make_error(name + ": unknown field '" + it.key() + "' in the lesson");
    Lesson lesson;
    auto id = text_field(root, "id", name, true);
    if (!id) return id.error();
    auto title = text_field(root, "title", name, true);
    if (!title) return title.error();
    lesson.id = id.value();
    lesson.title = title.value();
    if (lesson.id.empty()) return core::make_error(name + ": \"id\" must not be empty");
    auto steps = root.find("steps");
    if (steps == root.end() || !steps->is_array() || steps->empty() || steps->size() > 64)
        return core::make_error(name + ": \"steps\" must be a list of 1 to 64 steps");
    Scene scene;
    for (size_t i = 0; i < steps->size(); ++i) {
        const json& s = (*steps)[i];
        const std::string where = name + " step " + std::to_string(i + 1);
        if (!s.is_object()) return core::make_error(where + " must be an object");
        for (auto it = s.begin(); it != s.end(); ++it) {
            const std::string& k = it.key();
            if (k != "title" && k != "text" && k != "source" && k != "claim" && k != "params" && k != "scene" &&
                k != "see" && k != "train_sweep")
                return core::make_error(where + ": unknown field '" + k + "'");
        }
        LessonStep step;
        auto t = text_field(s, "title", where, true);
        if (!t) return t.error();
        auto x = text_field(s, "text", where, true);
        if (!x) return x.error();
        auto src = text_field(s, "source", where, false);
        if (!src) return src.error();
        auto claim = text_field(s, "claim", where, true);
        if (!claim) return claim.error();
        step.title = t.value();
        step.text = x.value();
        step.source = src.value();
        step.claim = claim.value();
        bool known = false;
        for (const char* c : lesson_claim_names()) known |= step.claim == c;
        if (!known) return core::make_error(where + ": unknown claim '" + step.claim + "'");
        if (auto p = s.find("params"); p != s.end()) {
            if (!p->is_object()) return core::make_error(where + ": \"params\" must be an object of numbers");
            for (auto it = p->begin(); it != p->end(); ++it) {
                if (!it->is_number() || !std::isfinite(it->get<double>()) || std::fabs(it->get<double>()) > 1e6)
                    return core::make_error(where + ": param '" + it.key() + "' must be a number within +-1e6");
                step.params[it.key()] = it->get<double>();
            }
        }
        if (auto ok = parse_see(s, where, step); !ok) return ok.error();
        auto sweep = text_field(s, "train_sweep", where, false);
        if (!sweep) return sweep.error();
        step.train_sweep = sweep.value();
        if (auto sc = s.find("scene"); sc != s.end()) {
            auto parsed = scene_from_json(*sc, where, false, scene);
            if (!parsed) return parsed.error();
            scene = parsed.value();
        }
        scene.lesson_id = lesson.id;
        scene.lesson_step = static_cast<int>(i);
        step.scene = scene;
        lesson.steps.push_back(std::move(step));
    }
    return lesson;
}

LessonLibrary load_library() {
    LessonLibrary library;
    for (const EmbeddedAsset& asset : embedded_assets()) {
        if (!std::string_view(asset.name).ends_with(".json")) continue;  // the sweeps' CSVs
        auto lesson = parse_lesson_json(asset.text, asset.name);
        if (lesson) library.lessons.push_back(std::move(lesson.value()));
        else library.errors.push_back(lesson.error().message);
    }
    return library;
}

}  // namespace

core::Result<Lesson> parse_lesson_json(const std::string& text, const std::string& name) {
    try {
        if (core::json_nesting_depth(text, core::kMaxJsonDepth) > core::kMaxJsonDepth)
            return core::make_error(name + " nests lists or objects more than " + std::to_string(core::kMaxJsonDepth) +
                                    " levels deep; a lesson file is not nested like that");
        json root = json::parse(text, nullptr, false);
        if (root.is_discarded()) return core::make_error(name + " is not valid JSON");
        return parse_lesson(root, name);
    } catch (const std::exception& e) {
        return core::make_error(name + ": " + e.what());
    }
}

const LessonLibrary& shipped_lessons() {
    static const LessonLibrary library = load_library();  // immutable after first use
    return library;
}

core::Result<SweepTable> shipped_sweep(const std::string& name) {
    for (const EmbeddedAsset& asset : embedded_assets())
        if (name == asset.name && std::string_view(asset.name).ends_with(".csv")) return parse_sweep_csv(asset.text);
    return core::make_error("no saved sweep '" + name + "' (assets/sweeps/)");
}

int find_lesson(const std::string& id) {
    const auto& lessons = shipped_lessons().lessons;
    for (size_t i = 0; i < lessons.size(); ++i)
        if (lessons[i].id == id) return static_cast<int>(i);
    return -1;
}

}  // namespace normviz::app
