// Every file the desktop program writes goes through core/safe_file.h, and every file it reads
// is bounded: full disks, pipes and devices at the output name, deep JSON, bad settings.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "app/state/classroom_actions.h"
#include "app/state/export.h"
#include "app/classroom/lessons.h"
#include "app/model/scene_io.h"
#include "app/model/settings.h"
#include "app/platform/window.h"
#include "core/generators.h"
#include "core/npy.h"
#include "core/safe_file.h"
#include "tests/scratch_files.h"

namespace normviz::app {
namespace {

namespace fs = std::filesystem;

// A fresh, empty folder per test.
fs::path fresh_dir(const std::string& name) {
    return normviz::test::fresh_dir(NORMVIZ_TEST_TMP_DIR, "reliability_", name);
}
using normviz::test::read_all;

size_t entries_in(const fs::path& dir) {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

// A JSON value nested `levels` deep: [[[...0...]]].
std::string nested(int levels) { return std::string(levels, '[') + "0" + std::string(levels, ']'); }

// Each writer of the desktop program, writing to `path`.
struct Writer {
    const char* name;
    std::function<core::Status(const std::string&)> write;
};

std::vector<Writer> desktop_writers() {
    return {
        {"scene", [](const std::string& p) { return write_scene_file(p, Scene{}); }},
        {"csv/svg", [](const std::string& p) { return write_text_file(p, "a,b\n1,2\n"); }},
        {"png", [](const std::string& p) { return write_png(p, std::vector<unsigned char>(4 * 4 * 4, 200), 4, 4); }},
    };
}

TEST(FilesReliability, EveryWriterKeepsTheOldFileOnAFullDisk) {
    for (const Writer& w : desktop_writers()) {
        for (const char* step : {"create", "write", "fsync", "close", "rename"}) {
            const fs::path dir = fresh_dir(std::string("full_") + step);
            const fs::path out = dir / "old.file";
            std::ofstream(out, std::ios::binary) << "the old bytes";
            core::fail_writes_at_for_testing(step);
            const core::Status ok = w.write(out.string());
            core::fail_writes_at_for_testing(nullptr);
            EXPECT_FALSE(ok) << w.name << " at " << step;
            EXPECT_EQ(read_all(out), "the old bytes") << w.name << " at " << step;
            EXPECT_EQ(entries_in(dir), 1u) << w.name << " at " << step;
        }
    }
}

TEST(FilesReliability, EveryWriterRefusesAFifoOrADeviceAtTheOutputName) {
    for (const Writer& w : desktop_writers()) {
        const fs::path dir = fresh_dir("fifo");
        const fs::path fifo = dir / "out";
        ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
        const core::Status ok = w.write(fifo.string());
        ASSERT_FALSE(ok) << w.name;
        EXPECT_NE(ok.error().message.find("not a regular file"), std::string::npos) << ok.error().message;
        EXPECT_TRUE(fs::is_fifo(fifo)) << w.name;
        EXPECT_EQ(entries_in(dir), 1u) << w.name;
        EXPECT_FALSE(w.write("/dev/null")) << w.name;
    }
    struct stat info {};
    ASSERT_EQ(stat("/dev/null", &info), 0);
    EXPECT_TRUE(S_ISCHR(info.st_mode));
}

TEST(FilesReliability, EveryWriterRefusesASymbolicLinkAtTheOutputName) {
    // A link where the user expects a new file would make normviz overwrite the file it names.
    for (const Writer& w : desktop_writers()) {
        const fs::path dir = fresh_dir("link");
        { std::ofstream(dir / "victim") << "precious"; }
        fs::create_symlink("victim", dir / "out");
        const core::Status ok = w.write((dir / "out").string());
        ASSERT_FALSE(ok) << w.name;
        EXPECT_NE(ok.error().message.find("is a symbolic link (to 'victim')"), std::string::npos)
            << ok.error().message;
        EXPECT_EQ(read_all(dir / "victim"), "precious") << w.name;
        EXPECT_TRUE(fs::is_symlink(dir / "out")) << w.name;
        EXPECT_EQ(entries_in(dir), 2u) << w.name;
    }
}

TEST(FilesReliability, PngIsWholeAndFollowsTheUmask) {
    const fs::path dir = fresh_dir("png");
    const mode_t old = umask(077);
    const core::Status ok = write_png((dir / "a.png").string(), std::vector<unsigned char>(8 * 2 * 4, 9), 8, 2);
    umask(old);
    ASSERT_TRUE(ok) << ok.error().message;
    const std::string png = read_all(dir / "a.png");
    ASSERT_GT(png.size(), 8u);
    EXPECT_EQ(png.substr(1, 3), "PNG");
    EXPECT_EQ(png.substr(png.size() - 8, 4), "IEND");
    struct stat info {};
    ASSERT_EQ(stat((dir / "a.png").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(FilesReliability, DeeplyNestedScenesAndLessonsAreErrorsNotCrashes) {
    // Valid JSON nested 100,000 levels (200 KB, under the size cap).
    const std::string deep_scene = "{\"normviz_scene\": 1, \"lesson\": " + nested(100000) + "}";
    auto scene = parse_scene_json(deep_scene, "deep.json");
    ASSERT_FALSE(scene);
    EXPECT_NE(scene.error().message.find("levels deep"), std::string::npos) << scene.error().message;
    const fs::path dir = fresh_dir("deep");
    std::ofstream(dir / "deep.json", std::ios::binary) << deep_scene;
    EXPECT_FALSE(read_scene_file((dir / "deep.json").string()));
    const std::string deep_lesson = "{\"normviz_lesson\": 1, \"id\": \"x\", \"steps\": " + nested(100000) + "}";
    auto lesson = parse_lesson_json(deep_lesson, "deep_lesson.json");
    ASSERT_FALSE(lesson);
    EXPECT_NE(lesson.error().message.find("levels deep"), std::string::npos) << lesson.error().message;
    // A lesson file opened from disk is capped like a scene.
    AppState state;
    regenerate_tensor(state);
    std::ofstream(dir / "big_lesson.json", std::ios::binary)
        << "{\"normviz_lesson\": 1, \"pad\": \"" << std::string(kSceneMaxFileBytes, ' ') << "\"}";
    EXPECT_FALSE(open_scene_file(state, (dir / "big_lesson.json").string(), 0));
    EXPECT_NE(state.message.find("at most"), std::string::npos) << state.message;
}

TEST(FilesReliability, SavingOverAnExistingFileFromTheWindowAsksFirst) {
    const fs::path dir = fresh_dir("ask");
    AppState state;
    regenerate_tensor(state);
    EXPECT_TRUE(may_replace(state, (dir / "new.json").string()));
    std::ofstream(dir / "old.json") << "{}";
    EXPECT_FALSE(may_replace(state, (dir / "old.json").string()));
    EXPECT_NE(state.message.find("press Save again"), std::string::npos) << state.message;
    EXPECT_TRUE(may_replace(state, (dir / "old.json").string()));   // the second press
    EXPECT_FALSE(may_replace(state, (dir / "old.json").string()));  // a later save asks again
    // The open tensor file, named another way.
    core::Tensor t = core::generate({2, 3, 2, 2}, core::Generator::PerChannel, 1);
    ASSERT_TRUE(core::write_npy((dir / "acts.npy").string(), t));
    ASSERT_TRUE(load_tensor_file(state, (dir / "acts.npy").string()));
    EXPECT_FALSE(may_replace(state, (dir / "." / "acts.npy").string()));
    EXPECT_NE(state.message.find("tensor file that is open"), std::string::npos) << state.message;
}

TEST(FilesReliability, DataFileNamesAreKeptAsBytesThroughASceneFile) {
    // Latin-1 bytes (not UTF-8), a newline and a quote in the name of a real file.
    const fs::path dir = fresh_dir("bytes");
    const std::string name = std::string("acts \xe9t\xe9\n\"1\".npy");
    const std::string data = (dir / name).string();
    ASSERT_TRUE(core::write_npy(data, core::generate({2, 4, 3, 3}, core::Generator::PerChannel, 1)));
    Scene scene;
    scene.data_path = data;
    scene.shape_from_file = true;
    const std::string json_text = scene_to_json(scene);
    EXPECT_NE(json_text.find("data_file_bytes"), std::string::npos);
    auto parsed = parse_scene_json(json_text, "s.json");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed.value().data_path, data);
    const std::string scene_path = (dir / "s.json").string();
    ASSERT_TRUE(write_scene_file(scene_path, scene));
    AppState state;
    regenerate_tensor(state);
    ASSERT_TRUE(open_scene_file(state, scene_path)) << state.message;
    EXPECT_EQ(state.scene.data_path, data);
    EXPECT_EQ(state.tensor.shape, (core::Shape{2, 4, 3, 3}));
    // A UTF-8 name needs no bytes field; a malformed one is an error.
    scene.data_path = "acts-\xc3\xa9.npy";
    EXPECT_EQ(scene_to_json(scene).find("data_file_bytes"), std::string::npos);
    EXPECT_FALSE(parse_scene_json("{\"normviz_scene\": 1, \"data_file_bytes\": \"zz\"}", "bad.json"));
}

TEST(FilesReliability, RunningStatisticsSourceIsKeptAsBytesThroughASceneFile) {
    // A checkpoint whose file name is Latin-1 (not UTF-8): "running" alone would turn it into
    // U+FFFD, so the scene names it in "running_bytes" too.
    Scene scene;
    scene.data_path = "acts.npy";
    scene.shape_from_file = true;
    scene.running_source = std::string("mod\xe8le.safetensors:layer1.0.bn1");
    const std::string json_text = scene_to_json(scene);
    EXPECT_NE(json_text.find("running_bytes"), std::string::npos);
    auto parsed = parse_scene_json(json_text, "s.json");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed.value().running_source, scene.running_source);
    scene.running_source = "mod\xc3\xa8le.safetensors:bn1";  // UTF-8: no bytes field
    EXPECT_EQ(scene_to_json(scene).find("running_bytes"), std::string::npos);
    EXPECT_FALSE(parse_scene_json(
        "{\"normviz_scene\": 1, \"data_file\": \"a.npy\", \"running\": \"m:bn\", \"running_bytes\": \"zz\"}",
        "bad.json"));
}

// Points XDG_CONFIG_HOME at a fresh folder for one test.
class SettingsFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fresh_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
        const char* old = std::getenv("XDG_CONFIG_HOME");
        had_ = old != nullptr;
        if (had_) old_ = old;
        setenv("XDG_CONFIG_HOME", dir_.c_str(), 1);
        fs::create_directories(dir_ / "normviz");
    }
    void TearDown() override {
        if (had_) setenv("XDG_CONFIG_HOME", old_.c_str(), 1);
        else unsetenv("XDG_CONFIG_HOME");
    }
    fs::path file() const { return dir_ / "normviz" / "settings.ini"; }

    fs::path dir_;
    bool had_ = false;
    std::string old_;
};

TEST_F(SettingsFile, BadNumbersAreIgnoredWithAMessageAndDefaultsKept) {
    std::ofstream(file()) << "font_size=nan\nwindow_width=800junk\neps=inf\ngroups=abc\nseed=-4\nfrobnicate=1\n"
                             "font_size=1e999\n";
    AppState state;
    const float font = state.font_size;
    const double eps = state.scene.eps;
    const int64_t groups = state.scene.groups;
    Settings settings = load_settings(state.scene);
    EXPECT_FALSE(settings.font_size.has_value());
    EXPECT_EQ(state.font_size, font);
    EXPECT_EQ(state.scene.eps, eps);
    EXPECT_EQ(state.scene.groups, groups);
    EXPECT_EQ(settings.window_width, Settings{}.window_width);
    ASSERT_EQ(settings.ignored.size(), 7u);
    EXPECT_NE(settings.ignored[0].find("settings.ini:1: ignored 'font_size=nan'"), std::string::npos)
        << settings.ignored[0];
}

TEST_F(SettingsFile, GoodValuesStillLoad) {
    std::ofstream(file()) << "font_size=20\nwindow_width=1000\nshape=2,4,3,3\neps=0.001\ncompared=batch,layer\n";
    AppState state;
    Settings settings = load_settings(state.scene);
    EXPECT_TRUE(settings.ignored.empty()) << settings.ignored.front();
    EXPECT_EQ(settings.font_size, 20.0f);
    EXPECT_EQ(settings.window_width, 1000);
    EXPECT_EQ(state.scene.shape, (core::Shape{2, 4, 3, 3}));
    EXPECT_EQ(state.scene.compared.size(), 2u);
}

TEST_F(SettingsFile, APathWithANewlineCannotPlantALine) {
    AppState state;
    regenerate_tensor(state);
    state.scene.data_path = "evil.npy\nfont_size=nan";
    ASSERT_TRUE(save_settings(state.scene, state.tensor.shape, state.font_size, 800, 600));
    const std::string text = read_all(file());
    EXPECT_EQ(text.find("font_size=nan"), std::string::npos) << text;
    AppState back;
    EXPECT_TRUE(load_settings(back.scene).ignored.empty());
}

TEST_F(SettingsFile, AShapeThatDidNotLoadIsNotRemembered) {
    AppState state;
    state.scene.shape = {2, 3, 2, 2};
    regenerate_tensor(state);
    const core::Shape loaded = state.tensor.shape;
    state.scene.shape = {1000, 1000, 1000, 1};  // typed in the sidebar; too large to generate
    ASSERT_TRUE(save_settings(state.scene, state.tensor.shape, state.font_size, 800, 600));
    AppState back;
    load_settings(back.scene);
    EXPECT_EQ(back.scene.shape, loaded);
}

TEST_F(SettingsFile, ALinkInPlaceOfTheFileIsNotWrittenThrough) {
    std::ofstream(dir_ / "elsewhere.ini") << "font_size=20\n";
    fs::create_symlink(dir_ / "elsewhere.ini", file());
    AppState state;
    regenerate_tensor(state);
    const core::Status saved = save_settings(state.scene, state.tensor.shape, state.font_size, 800, 600);
    ASSERT_FALSE(saved);
    EXPECT_NE(saved.error().message.find("symbolic link"), std::string::npos) << saved.error().message;
    EXPECT_EQ(read_all(dir_ / "elsewhere.ini"), "font_size=20\n");
}

TEST_F(SettingsFile, AFifoInPlaceOfTheFileIsRefusedUnread) {
    ASSERT_EQ(mkfifo(file().c_str(), 0600), 0);
    AppState state;
    Settings settings = load_settings(state.scene);  // would block forever if it opened the FIFO
    EXPECT_FALSE(settings.loaded);
    ASSERT_EQ(settings.ignored.size(), 1u);
    EXPECT_NE(settings.ignored[0].find("is a pipe, device or socket"), std::string::npos) << settings.ignored[0];
    EXPECT_FALSE(save_settings(state.scene, state.tensor.shape, state.font_size, 800, 600));
    EXPECT_TRUE(fs::is_fifo(file()));
}

}  // namespace
}  // namespace normviz::app
