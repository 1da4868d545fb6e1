// Loading files: ~ expansion, the file browser's folder listing against a temporary folder,
// File > Open...'s transitions (folders, files, archives with several arrays, missing
// files, a running job), the modal driven by keys, and files dropped on the window.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "app/state/file_browser.h"
#include "app/model/paths.h"
#include "core/generators.h"
#include "core/npy.h"
#include "headless_imgui.h"

namespace {

namespace fs = std::filesystem;
using normviz::app::AppState;
using normviz::app::expand_home;
using normviz::app::FolderEntry;
using normviz::core::Shape;
using normviz::test::HeadlessImGui;
using normviz::test::make_state;

// HOME set for one test, restored after.
class HomeGuard {
public:
    explicit HomeGuard(const char* home) {
        if (const char* old = std::getenv("HOME")) old_ = old;
        if (home) setenv("HOME", home, 1);
        else unsetenv("HOME");
    }
    ~HomeGuard() {
        if (old_) setenv("HOME", old_->c_str(), 1);
        else unsetenv("HOME");
    }

private:
    std::optional<std::string> old_;
};

// A fresh, empty folder under the test build's tmp folder.
std::string fresh_folder(const std::string& name) {
    const fs::path p = fs::path(NORMVIZ_TEST_TMP_DIR) / name;
    fs::remove_all(p);
    fs::create_directories(p);
    return p.string();
}

void write_file(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// Writes a small float32 tensor of `shape` as .npy.
void write_tensor(const std::string& path, Shape shape, uint64_t seed = 1) {
    ASSERT_TRUE(normviz::core::write_npy(path, normviz::core::generate(shape, normviz::core::Generator::Normal, seed)));
}

// A .safetensors file with two float32 arrays: "big" of `big_values` values (shape (1, n))
// and "small" (2, 3), all zero.
void write_two_array_safetensors(const std::string& path, int64_t big_values) {
    const uint64_t big_bytes = static_cast<uint64_t>(big_values) * 4;
    const std::string header = "{\"big\":{\"dtype\":\"F32\",\"shape\":[1," + std::to_string(big_values) +
                               "],\"data_offsets\":[0," + std::to_string(big_bytes) +
                               "]},\"small\":{\"dtype\":\"F32\","
                               "\"shape\":[2,3],\"data_offsets\":[" +
                               std::to_string(big_bytes) + "," + std::to_string(big_bytes + 24) + "]}}";
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
    bytes += header;
    bytes.append(big_bytes + 24, '\0');
    write_file(path, bytes);
}

std::vector<std::string> names(const std::vector<FolderEntry>& entries) {
    std::vector<std::string> out;
    for (const FolderEntry& e : entries) out.push_back(e.name + (e.is_folder ? "/" : ""));
    return out;
}

TEST(Paths, ExpandHomeTakesTildeAndTildeSlashOnly) {
    HomeGuard home("/home/me");
    EXPECT_EQ(expand_home("~"), "/home/me");
    EXPECT_EQ(expand_home("~/acts/x.npy"), "/home/me/acts/x.npy");
    EXPECT_EQ(expand_home("~/x.npz:hidden"), "/home/me/x.npz:hidden");
    EXPECT_EQ(expand_home("~other/x.npy"), "~other/x.npy");
    EXPECT_EQ(expand_home("/data/~/x.npy"), "/data/~/x.npy");
    EXPECT_EQ(expand_home("x~.npy"), "x~.npy");
    EXPECT_EQ(expand_home(""), "");
}

TEST(Paths, ExpandHomeWithATrailingSlashOrNoHome) {
    {
        HomeGuard home("/home/me/");
        EXPECT_EQ(expand_home("~/x.npy"), "/home/me/x.npy");
    }
    {
        HomeGuard home(nullptr);
        EXPECT_EQ(expand_home("~/x.npy"), "~/x.npy");
    }
    {
        HomeGuard home("");
        EXPECT_EQ(expand_home("~/x.npy"), "~/x.npy");
    }
}

TEST(Paths, ArrayFileNamesByExtension) {
    using normviz::app::is_array_file_name;
    for (const char* yes : {"a.npy", "A.NPY", "acts.npz", "model.safetensors", "m.SafeTensors", "x.y.npy"})
        EXPECT_TRUE(is_array_file_name(yes)) << yes;
    for (const char* no : {"a.txt", "npy", ".npy", "a.npy.bak", "a.pt", "a.safetensor", ""})
        EXPECT_FALSE(is_array_file_name(no)) << no;
}

TEST(Paths, ListsFoldersFirstThenArrayFilesSortedIgnoringCase) {
    const std::string dir = fresh_folder("browser_list");
    write_tensor(dir + "/b.npy", {1, 2, 1, 1});
    write_file(dir + "/A.npz", "12345");
    write_file(dir + "/c.safetensors", "");
    write_file(dir + "/notes.txt", "not an array");
    write_file(dir + "/.hidden.npy", "");
    fs::create_directory(dir + "/sub");
    fs::create_directory(dir + "/Zeta");
    fs::create_directory(dir + "/.git");
    fs::create_directory_symlink(dir + "/sub", dir + "/link_to_sub");
    fs::create_symlink(dir + "/b.npy", dir + "/link.npy");
    fs::create_symlink(dir + "/missing.npy", dir + "/broken.npy");

    auto listed = normviz::app::list_array_folder(dir);
    ASSERT_TRUE(listed) << listed.error().message;
    EXPECT_EQ(names(listed.value()), (std::vector<std::string>{"link_to_sub/", "sub/", "Zeta/", "A.npz", "b.npy",
                                                               "c.safetensors", "link.npy"}));
    EXPECT_EQ(listed.value()[3].size, 5u);
    EXPECT_EQ(listed.value()[0].size, 0u);
    EXPECT_EQ(listed.value()[4].size, fs::file_size(dir + "/b.npy"));

    auto all = normviz::app::list_array_folder(dir, /*show_hidden=*/true);
    ASSERT_TRUE(all);
    EXPECT_EQ(names(all.value()).front(), ".git/");
    EXPECT_EQ(all.value().size(), listed.value().size() + 2);

    auto empty = normviz::app::list_array_folder(dir + "/sub");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty.value().empty());
}

TEST(Paths, ListingAMissingFolderOrAFileIsAnError) {
    const std::string dir = fresh_folder("browser_errors");
    write_file(dir + "/x.npy", "");
    auto missing = normviz::app::list_array_folder(dir + "/nope");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos) << missing.error().message;
    auto file = normviz::app::list_array_folder(dir + "/x.npy");
    ASSERT_FALSE(file);
    EXPECT_NE(file.error().message.find("is not a folder"), std::string::npos) << file.error().message;
}

TEST(Paths, ParentFolderAndResolveInFolder) {
    using normviz::app::parent_folder;
    using normviz::app::resolve_in_folder;
    EXPECT_EQ(parent_folder("/data/acts"), "/data");
    EXPECT_EQ(parent_folder("/data/acts/"), "/data");
    EXPECT_EQ(parent_folder("/data"), "/");
    EXPECT_EQ(parent_folder("/"), "/");
    EXPECT_EQ(parent_folder("/data/./acts/.."), "/");
    EXPECT_TRUE(fs::path(parent_folder("relative/folder")).is_absolute());

    HomeGuard home("/home/me");
    EXPECT_EQ(resolve_in_folder("/data", "x.npy"), "/data/x.npy");
    EXPECT_EQ(resolve_in_folder("/data", "/abs/y.npy"), "/abs/y.npy");
    EXPECT_EQ(resolve_in_folder("/data", "~/z.npy"), "/home/me/z.npy");
    EXPECT_EQ(resolve_in_folder("/data/sub", "../x.npz:hidden"), "/data/x.npz:hidden");
    EXPECT_EQ(resolve_in_folder("/data", ".."), "/");
    EXPECT_EQ(resolve_in_folder("/data", ""), "");
}

TEST(FileBrowser, OpensAtTheLoadedFilesFolderAndWalksFolders) {
    const std::string dir = fresh_folder("browser_walk");
    fs::create_directory(dir + "/inner");
    write_tensor(dir + "/first.npy", {2, 3, 1, 2});
    write_tensor(dir + "/inner/second.npy", {1, 4, 2, 2});
    AppState state = make_state();
    ASSERT_TRUE(normviz::app::load_tensor_file(state, dir + "/first.npy"));

    normviz::app::open_file_browser(state);
    const auto& b = state.file_browser;
    EXPECT_TRUE(b.open);
    EXPECT_EQ(b.folder, dir);
    EXPECT_EQ(names(b.entries), (std::vector<std::string>{"inner/", "first.npy"}));

    EXPECT_FALSE(normviz::app::open_from_browser(state, "inner"));  // a folder: listed, stays open
    EXPECT_EQ(b.folder, dir + "/inner");
    EXPECT_EQ(names(b.entries), (std::vector<std::string>{"second.npy"}));
    EXPECT_FALSE(normviz::app::open_from_browser(state, ".."));
    EXPECT_EQ(b.folder, dir);
    normviz::app::browse_to(state, normviz::app::parent_folder(b.folder));
    EXPECT_EQ(b.folder, fs::path(dir).parent_path().string());

    EXPECT_TRUE(normviz::app::open_from_browser(state, dir + "/inner/second.npy"));  // a file: loaded
    EXPECT_FALSE(b.open);
    EXPECT_EQ(state.scene.data_path, dir + "/inner/second.npy");
    EXPECT_EQ(state.tensor.shape, (Shape{1, 4, 2, 2}));
    EXPECT_FALSE(state.message_is_error) << state.message;
}

TEST(FileBrowser, MissingFilesAndLoadErrorsKeepItOpenWithTheReason) {
    const std::string dir = fresh_folder("browser_missing");
    write_file(dir + "/broken.npy", "not a npy file");
    AppState state = make_state();
    normviz::app::browse_to(state, dir);
    state.file_browser.open = true;
    const uint64_t version = state.tensor_version;
    EXPECT_FALSE(normviz::app::open_from_browser(state, "nope.npy"));
    EXPECT_TRUE(state.file_browser.open);
    EXPECT_NE(state.file_browser.error.find("does not exist"), std::string::npos) << state.file_browser.error;
    EXPECT_FALSE(normviz::app::open_from_browser(state, "broken.npy"));
    EXPECT_TRUE(state.file_browser.open);
    EXPECT_NE(state.file_browser.error.find("broken.npy"), std::string::npos) << state.file_browser.error;
    EXPECT_EQ(state.tensor_version, version);
}

TEST(FileBrowser, AnArchiveWithSeveralArraysEndsInTheMemberList) {
    AppState state = make_state();
    state.show_controls = false;
    const std::string archive = std::string(NORMVIZ_FIXTURE_DIR) + "/real/activations.npz";
    normviz::app::browse_to(state, fs::path(archive).parent_path().string());
    EXPECT_TRUE(normviz::app::open_from_browser(state, "activations.npz"));
    EXPECT_EQ(state.archive_path, archive);
    EXPECT_EQ(state.archive_entries.size(), 3u);
    EXPECT_TRUE(state.show_controls);  // the list is in the controls sidebar
    EXPECT_NE(state.message.find("holds 3 arrays"), std::string::npos) << state.message;
    // A member typed in the browser opens that array.
    const std::string member = state.archive_entries[0].name;
    EXPECT_TRUE(normviz::app::open_from_browser(state, "activations.npz:" + member));
    EXPECT_EQ(state.scene.data_path, archive + ":" + member);
    EXPECT_TRUE(state.archive_entries.empty());
}

TEST(FileBrowser, ALargeArchiveWithSeveralArraysIsListedNotSentToTheWorker) {
    const std::string dir = fresh_folder("browser_large_archive");
    const std::string path = dir + "/big.safetensors";
    write_two_array_safetensors(path, int64_t{5} << 20 >> 2);  // 5 MB: above the synchronous limit
    ASSERT_GT(fs::file_size(path), uintmax_t{4} << 20);
    AppState state = make_state();
    normviz::app::request_load(state, path);
    EXPECT_FALSE(state.work->busy());
    EXPECT_EQ(state.archive_entries.size(), 2u);
    EXPECT_FALSE(state.message_is_error) << state.message;
}

TEST(FileBrowser, TildeInTheLoadFieldAndTheBrowser) {
    const std::string home = fresh_folder("browser_home");
    write_tensor(home + "/acts.npy", {2, 5, 1, 3});
    HomeGuard guard(home.c_str());
    AppState state = make_state();
    normviz::app::request_load(state, "~/acts.npy");  // what the Load field's button does
    EXPECT_FALSE(state.message_is_error) << state.message;
    EXPECT_EQ(state.scene.data_path, home + "/acts.npy");
    EXPECT_EQ(state.tensor.shape, (Shape{2, 5, 1, 3}));

    AppState other = make_state();
    normviz::app::open_file_browser(other);
    EXPECT_FALSE(normviz::app::open_from_browser(other, "~"));  // a folder
    EXPECT_EQ(other.file_browser.folder, home);
    EXPECT_TRUE(normviz::app::open_from_browser(other, "~/acts.npy"));
    EXPECT_EQ(other.scene.data_path, home + "/acts.npy");
}

TEST(FileBrowser, RefusesWhileAJobRuns) {
    const std::string dir = fresh_folder("browser_busy");
    write_tensor(dir + "/x.npy", {1, 2, 1, 2});
    AppState state = make_state();
    std::atomic<bool> release{false};
    state.work->start("Loading huge.npy",
                      [&](std::atomic<float>&) -> normviz::core::Result<normviz::app::PreparedTensor> {
                          while (!release) std::this_thread::yield();
                          return normviz::core::make_error("cancelled by the test");
                      });
    normviz::app::browse_to(state, dir);
    state.file_browser.open = true;
    EXPECT_FALSE(normviz::app::open_from_browser(state, "x.npy"));
    EXPECT_NE(state.file_browser.error.find("Loading huge.npy"), std::string::npos) << state.file_browser.error;
    release = true;
    state.work->wait();
    (void)state.work->take_result();
}

TEST(FileBrowser, CtrlOOpensTheModalAndTypedNamePlusEnterLoadsIt) {
    const std::string dir = fresh_folder("browser_keys");
    write_tensor(dir + "/first.npy", {2, 3, 1, 2});
    write_tensor(dir + "/typed.npy", {3, 7, 2, 2});
    HeadlessImGui ui;
    AppState state = make_state();
    ASSERT_TRUE(normviz::app::load_tensor_file(state, dir + "/first.npy"));
    ui.app_frame(state);
    ui.press(state, GLFW_KEY_O, false, /*ctrl=*/true);
    ASSERT_TRUE(state.file_browser.open);
    EXPECT_EQ(state.file_browser.folder, dir);
    ui.app_frame(state);
    const std::string text = ui.app_frame_text(state);
    EXPECT_NE(text.find("first.npy"), std::string::npos) << text;
    EXPECT_NE(text.find("typed.npy"), std::string::npos) << text;
    ImGui::GetIO().AddInputCharactersUTF8("typed.npy");  // the path field has the keyboard
    ui.app_frame(state);
    EXPECT_EQ(state.file_browser.typed, "typed.npy");
    ui.press(state, GLFW_KEY_ENTER);
    EXPECT_FALSE(state.file_browser.open);
    EXPECT_EQ(state.scene.data_path, dir + "/typed.npy");
    EXPECT_EQ(state.tensor.shape, (Shape{3, 7, 2, 2}));
    for (int i = 0; i < 3; ++i) ui.app_frame(state);  // the popup is gone, the frame goes on
    EXPECT_FALSE(ImGui::GetIO().WantCaptureKeyboard);
}

TEST(FileBrowser, FileMenuOpenAndEscapeCloses) {
    HeadlessImGui ui;
    AppState state = make_state();
    normviz::app::open_file_browser(state);
    ui.app_frame(state);
    ui.app_frame(state);
    EXPECT_TRUE(state.file_browser.open);
    ui.press(state, GLFW_KEY_ESCAPE);  // the field has the keyboard: the first Escape leaves it
    ui.press(state, GLFW_KEY_ESCAPE);
    EXPECT_FALSE(state.file_browser.open);
    ui.app_frame(state);
}

TEST(Drops, SeveralFilesLoadTheFirstAndSaySo) {
    const std::string dir = fresh_folder("drops_several");
    write_tensor(dir + "/one.npy", {2, 3, 1, 2});
    write_tensor(dir + "/two.npy", {1, 1, 1, 5});
    write_tensor(dir + "/three.npy", {1, 1, 1, 6});
    AppState state = make_state();
    normviz::app::handle_dropped_paths(state, {dir + "/one.npy", dir + "/two.npy", dir + "/three.npy"});
    EXPECT_EQ(state.scene.data_path, dir + "/one.npy");
    EXPECT_EQ(state.tensor.shape, (Shape{2, 3, 1, 2}));
    EXPECT_NE(state.message.find("loaded " + dir + "/one.npy"), std::string::npos) << state.message;
    EXPECT_NE(state.message.find("3 files dropped"), std::string::npos) << state.message;
    EXPECT_NE(state.message.find("2 other files left out"), std::string::npos) << state.message;
    EXPECT_FALSE(state.message_is_error);

    normviz::app::handle_dropped_paths(state, {dir + "/missing.npy", dir + "/two.npy"});
    EXPECT_TRUE(state.message_is_error);  // the first one's error stays in front
    EXPECT_NE(state.message.find("missing.npy"), std::string::npos) << state.message;
    EXPECT_NE(state.message.find("1 other file left out"), std::string::npos) << state.message;
    EXPECT_EQ(state.tensor.shape, (Shape{2, 3, 1, 2}));

    normviz::app::handle_dropped_paths(state, {dir + "/two.npy"});  // one file: just loaded
    EXPECT_EQ(state.tensor.shape, (Shape{1, 1, 1, 5}));
    EXPECT_EQ(state.message.find("dropped"), std::string::npos) << state.message;
}

TEST(Drops, ADropWhileAJobRunsIsRefusedWithAMessage) {
    const std::string dir = fresh_folder("drops_busy");
    write_tensor(dir + "/x.npy", {1, 2, 1, 2});
    AppState state = make_state();
    const uint64_t version = state.tensor_version;
    std::atomic<bool> release{false};
    state.work->start("Generating (64, 64, 64, 64)",
                      [&](std::atomic<float>&) -> normviz::core::Result<normviz::app::PreparedTensor> {
                          while (!release) std::this_thread::yield();
                          return normviz::core::make_error("cancelled by the test");
                      });
    normviz::app::handle_dropped_paths(state, {dir + "/x.npy"});
    EXPECT_TRUE(state.message_is_error);
    EXPECT_NE(state.message.find("still busy (Generating"), std::string::npos) << state.message;
    EXPECT_NE(state.message.find("x.npy again"), std::string::npos) << state.message;
    release = true;
    state.work->wait();
    (void)state.work->take_result();
    EXPECT_EQ(state.tensor_version, version);
    normviz::app::handle_dropped_paths(state, {dir + "/x.npy"});  // done: the drop loads
    EXPECT_EQ(state.tensor.shape, (Shape{1, 2, 1, 2}));
}

}  // namespace
