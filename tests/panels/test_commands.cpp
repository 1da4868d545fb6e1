// The command table (app/ui/commands.h): every key the help window names, read from the help
// text itself, does what the help sentence says when pressed through a real app frame; the
// help window lists every key; no two commands take the same key in the same mode.
#include <gtest/gtest.h>

#include <GLFW/glfw3.h>
#include <cctype>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "app/state/classroom_actions.h"
#include "app/ui/commands.h"
#include "headless_imgui.h"

namespace normviz::app {
namespace {

using test::HeadlessImGui;
using test::make_state;

// A chord as the help text names it: "Shift + K", "Ctrl + =", "PageDown", "F5", ",".
struct Chord {
    int key = 0;
    bool shift = false, ctrl = false;
};

int key_named(const std::string& name) {
    static const std::map<std::string, int> named = {
        {"Right", GLFW_KEY_RIGHT},    {"Left", GLFW_KEY_LEFT},
        {"Up", GLFW_KEY_UP},          {"Down", GLFW_KEY_DOWN},
        {"Tab", GLFW_KEY_TAB},        {"Space", GLFW_KEY_SPACE},
        {"Enter", GLFW_KEY_ENTER},    {"Esc", GLFW_KEY_ESCAPE},
        {"PageUp", GLFW_KEY_PAGE_UP}, {"PageDown", GLFW_KEY_PAGE_DOWN},
        {",", GLFW_KEY_COMMA},        {".", GLFW_KEY_PERIOD},
        {"=", GLFW_KEY_EQUAL},        {"+", GLFW_KEY_EQUAL},
        {"-", GLFW_KEY_MINUS},
    };
    if (auto it = named.find(name); it != named.end()) return it->second;
    if (name.size() == 1 && std::isupper(static_cast<unsigned char>(name[0]))) return GLFW_KEY_A + (name[0] - 'A');
    if (name.size() == 1 && std::isdigit(static_cast<unsigned char>(name[0]))) return GLFW_KEY_0 + (name[0] - '0');
    if (name.size() >= 2 && name[0] == 'F') return GLFW_KEY_F1 + std::stoi(name.substr(1)) - 1;
    return 0;
}

Chord parse_chord(std::string text) {
    Chord c;
    for (const char* mod : {"Shift + ", "Ctrl + "}) {
        if (text.rfind(mod, 0) == 0) {
            (mod[0] == 'S' ? c.shift : c.ctrl) = true;
            text = text.substr(std::string(mod).size());
        }
    }
    c.key = key_named(text);
    return c;
}

// What each help sentence promises, checked on the state before and after one press. `setup`
// puts the program in the mode the command is for.
struct Promise {
    std::function<void(AppState&)> setup;
    std::function<bool(const AppState& before, const AppState& after)> kept;
};

const std::map<std::string, Promise>& promises() {
    auto focus_moved = [](core::Axis axis, int64_t delta) {
        return [axis, delta](const AppState& b, const AppState& a) {
            core::Index expected = b.scene.focus;
            int64_t* coords[] = {&expected.n, &expected.c, &expected.h, &expected.w};
            *coords[static_cast<int>(axis)] += delta;
            return a.scene.focus == expected;
        };
    };
    auto none = [](AppState&) {};
    auto norm_key = [none](int k) {
        return Promise{none, [k](const AppState&, const AppState& a) {
                           return a.scene.single_view && a.scene.single_norm == core::kAllNormKinds[k];
                       }};
    };
    auto in_lesson = [](AppState& s) { go_to_lesson_step(s, 1, 1); };
    auto count_quiz = [](AppState& s) {
        // A question with choices: rounds until the quiz asks one (it alternates kinds).
        start_quiz(s);
        for (int i = 0; i < 20 && s.classroom.quiz.kind == QuizKind::Cells; ++i) next_quiz_question(s);
    };
    static const std::map<std::string, Promise> table = {
        {"Right|move the focus along W", {none, focus_moved(core::Axis::W, +1)}},
        {"Left|move the focus along W", {none, focus_moved(core::Axis::W, -1)}},
        {"Down|move the focus along H", {none, focus_moved(core::Axis::H, +1)}},
        {"Up|move the focus along H", {none, focus_moved(core::Axis::H, -1)}},
        {"Shift + Right|move the focus along C", {none, focus_moved(core::Axis::C, +1)}},
        {"Shift + Left|move the focus along C", {none, focus_moved(core::Axis::C, -1)}},
        {"Shift + Down|move the focus along N", {none, focus_moved(core::Axis::N, +1)}},
        {"Shift + Up|move the focus along N", {none, focus_moved(core::Axis::N, -1)}},
        {"Ctrl + O|open an array file", {none, [](const AppState&, const AppState& a) { return a.file_browser.open; }}},
        {"F12|save the window as PNG",
         {none, [](const AppState&, const AppState& a) { return a.screenshot_requested; }}},
        {"Ctrl + Q|quit", {none, [](const AppState&, const AppState& a) { return a.quit_requested; }}},
        {"V|compare norms / single norm",
         {none, [](const AppState& b, const AppState& a) { return a.scene.single_view != b.scene.single_view; }}},
        {"Tab|next / previous norm",
         {none,
          [](const AppState& b, const AppState& a) {
              return a.scene.single_view && int(a.scene.single_norm) == (int(b.scene.single_norm) + 1) % 7;
          }}},
        {"Shift + Tab|next / previous norm",
         {none,
          [](const AppState& b, const AppState& a) {
              return a.scene.single_view && int(a.scene.single_norm) == (int(b.scene.single_norm) + 6) % 7;
          }}},
        {"1|single view of", norm_key(0)},
        {"2|single view of", norm_key(1)},
        {"3|single view of", norm_key(2)},
        {"4|single view of", norm_key(3)},
        {"5|single view of", norm_key(4)},
        {"6|single view of", norm_key(5)},
        {"7|single view of", norm_key(6)},
        {"K|cube view / grid view",
         {none, [](const AppState& b, const AppState& a) { return a.cube_view != b.cube_view; }}},
        {"Shift + K|cube: H and W apart",
         {none,
          [](const AppState& b, const AppState& a) { return a.cube_view && a.cube_split_hw != b.cube_split_hw; }}},
        {"F2|controls / statistics sidebar",
         {none, [](const AppState& b, const AppState& a) { return a.show_controls != b.show_controls; }}},
        {"F3|controls / statistics sidebar",
         {none, [](const AppState& b, const AppState& a) { return a.show_stats != b.show_stats; }}},
        {"F4|channels:",
         {none, [](const AppState& b, const AppState& a) { return a.channels.show != b.channels.show; }}},
        {"F6|arithmetic:",
         {none, [](const AppState& b, const AppState& a) { return a.arithmetic.show != b.arithmetic.show; }}},
        {",|arithmetic: previous / next stage",
         {[](AppState& s) { s.arithmetic.show = true, s.arithmetic.stage = 3; },
          [](const AppState&, const AppState& a) { return a.arithmetic.stage == 2; }}},
        {".|arithmetic: previous / next stage",
         {[](AppState& s) { s.arithmetic.show = true, s.arithmetic.stage = 3; },
          [](const AppState&, const AppState& a) { return a.arithmetic.stage == 4; }}},
        {"F7|tokens x features:",
         {none, [](const AppState& b, const AppState& a) { return a.tokens.show != b.tokens.show; }}},
        {"F8|train:", {none, [](const AppState& b, const AppState& a) { return a.train.show != b.train.show; }}},
        {"Space|raw / normalized values",
         {none,
          [](const AppState& b, const AppState& a) { return a.scene.show_normalized != b.scene.show_normalized; }}},
        {"P|colour-blind safe palette",
         {none, [](const AppState& b, const AppState& a) { return a.scene.palette != b.scene.palette; }}},
        {"C|next / previous colour scale",
         {none,
          [](const AppState& b, const AppState& a) {
              return int(a.scene.color_scale) == (int(b.scene.color_scale) + 1) % int(std::size(kAllColorScales));
          }}},
        {"Shift + C|next / previous colour scale",
         {none,
          [](const AppState& b, const AppState& a) {
              const int n = int(std::size(kAllColorScales));
              return int(a.scene.color_scale) == (int(b.scene.color_scale) + n - 1) % n;
          }}},
        {"N|focus the next NaN or Inf",
         {[](AppState& s) {
              s.tensor.data[5] = std::nanf("");
              ++s.tensor_version;
          },
          [](const AppState&, const AppState& a) {
              return a.scene.focus == core::Index{0, 0, 1, 1};
          }}},
        {"+|zoom in / out",
         {none, [](const AppState& b,
                   const AppState& a) { return a.camera.zoom != b.camera.zoom || a.camera.zoom_steps > 0; }}},
        {"-|zoom in / out",
         {none, [](const AppState& b,
                   const AppState& a) { return a.camera.zoom != b.camera.zoom || a.camera.zoom_steps < 0; }}},
        {"0|fit the picture to the window",
         {[](AppState& s) { s.cube_camera.yaw += 1; },
          [](const AppState&, const AppState& a) { return a.cube_camera.yaw == CubeCamera{}.yaw; }}},
        {"Ctrl + =|larger / smaller text",
         {none, [](const AppState& b, const AppState& a) { return a.font_size == b.font_size + 2; }}},
        {"Ctrl + -|larger / smaller text",
         {none, [](const AppState& b, const AppState& a) { return a.font_size == b.font_size - 2; }}},
        {"F11|full screen", {none, [](const AppState&, const AppState& a) { return a.fullscreen_requested; }}},
        {"PageDown|next / previous lesson step",
         {in_lesson,
          [](const AppState&, const AppState& a) { return a.classroom.lesson == 1 && a.classroom.step == 2; }}},
        {"PageUp|next / previous lesson step",
         {in_lesson,
          [](const AppState&, const AppState& a) { return a.classroom.lesson == 1 && a.classroom.step == 0; }}},
        {"Shift + PageDown|next / previous lesson",
         {in_lesson,
          [](const AppState&, const AppState& a) { return a.classroom.lesson == 2 && a.classroom.step == 0; }}},
        {"Shift + PageUp|next / previous lesson",
         {in_lesson,
          [](const AppState&, const AppState& a) { return a.classroom.lesson == 0 && a.classroom.step == 0; }}},
        {"Q|quiz:", {none, [](const AppState&, const AppState& a) { return a.classroom.quiz.active; }}},
        {"Enter|quiz: reveal / next question",
         {[](AppState& s) { start_quiz(s); },
          [](const AppState&, const AppState& a) { return a.classroom.quiz.revealed; }}},
        {"1|quiz: pick an answer",
         {count_quiz, [](const AppState&,
                         const AppState& a) { return a.classroom.quiz.revealed && a.classroom.quiz.choice == 0; }}},
        {"2|quiz: pick an answer",
         {count_quiz, [](const AppState&,
                         const AppState& a) { return a.classroom.quiz.revealed && a.classroom.quiz.choice == 1; }}},
        {"3|quiz: pick an answer",
         {count_quiz, [](const AppState&,
                         const AppState& a) { return a.classroom.quiz.revealed && a.classroom.quiz.choice == 2; }}},
        {"4|quiz: pick an answer",
         {count_quiz, [](const AppState&,
                         const AppState& a) { return a.classroom.quiz.revealed && a.classroom.quiz.choice == 3; }}},
        {"F5|presenter mode", {none, [](const AppState&, const AppState& a) { return a.classroom.presenter; }}},
        {"L|pointer:",
         {none, [](const AppState& b, const AppState& a) { return a.classroom.pointer != b.classroom.pointer; }}},
        {"F1|this help", {none, [](const AppState& b, const AppState& a) { return a.show_help != b.show_help; }}},
        {"Esc|close this help; leave presenter mode",
         {[](AppState& s) {
              s.show_help = true;
              set_presenter(s, true);
          },
          [](const AppState&, const AppState& a) { return !a.show_help && !a.classroom.presenter; }}},
    };
    return table;
}

const Promise* promise_for(const Command& c) {
    for (const auto& [key, promise] : promises()) {
        const size_t bar = key.find('|');
        if (key.substr(0, bar) == c.keys && std::string(c.help).rfind(key.substr(bar + 1), 0) == 0) return &promise;
    }
    return nullptr;
}

TEST(Commands, EveryKeyDoesWhatItsHelpSays) {
    HeadlessImGui imgui;
    int checked = 0;
    for (const Command& c : commands()) {
        if (c.keys == nullptr || c.run == nullptr) continue;
        SCOPED_TRACE(std::string(c.keys) + ": " + (c.help ? c.help : "(menu only)"));
        const Promise* promise = promise_for(c);
        ASSERT_NE(promise, nullptr) << "no test of what this key promises";
        const Chord chord = parse_chord(c.keys);
        ASSERT_NE(chord.key, 0) << "the help names a key the test cannot read";
        AppState state = make_state();
        promise->setup(state);
        imgui.app_frame(state);
        state.fullscreen_requested = false;  // presenter mode asks for it; F11 must ask again
        const AppState before = state;
        imgui.press(state, chord.key, chord.shift, chord.ctrl);
        EXPECT_TRUE(promise->kept(before, state));
        ++checked;
    }
    EXPECT_GE(checked, 50);
}

TEST(Commands, TheHelpWindowListsEveryKeyOnce) {
    std::set<std::string> seen;
    for (const HelpRow& row : help_rows()) {
        EXPECT_FALSE(row.keys.empty());
        EXPECT_TRUE(seen.insert(row.help).second) << "two rows say: " << row.help;
    }
    for (const Command& c : commands()) {
        if (!c.keys || !c.help) continue;
        // The row names the key; a modifier shared with the row's first key is said once.
        const std::string keys = c.keys;
        const std::string key = keys.substr(keys.rfind("+ ") == std::string::npos ? 0 : keys.rfind("+ ") + 2);
        const std::string mods = keys.substr(0, keys.size() - key.size());
        bool listed = false;
        for (const HelpRow& row : help_rows())
            listed |= row.help == c.help && (row.keys.find(keys) != std::string::npos ||
                                             (row.keys.rfind(mods, 0) == 0 && row.keys.find(key) != std::string::npos));
        EXPECT_TRUE(listed) << c.keys;
    }
}

// A key runs one command in any one mode (a quiz, the arithmetic window shown, or neither),
// except Esc, whose one command does both things its help says.
TEST(Commands, NoKeyIsBoundTwiceInOneMode) {
    AppState plain = make_state();
    AppState quiz = make_state();
    start_quiz(quiz);
    AppState arithmetic = make_state();
    arithmetic.arithmetic.show = true;
    for (const AppState* mode : {&plain, &quiz, &arithmetic}) {
        std::map<std::pair<int, int>, std::string> owner;
        for (const Command& c : commands()) {
            if (c.run == nullptr || (c.available && !c.available(*mode))) continue;
            for (const KeyChord& k : c.chords)
                if (k.key != 0) {
                    auto [it, fresh] = owner.emplace(std::make_pair(k.key, k.mods), c.keys ? c.keys : c.label);
                    EXPECT_TRUE(fresh) << c.keys << " and " << it->second << " share a key";
                }
        }
    }
}

}  // namespace
}  // namespace normviz::app
