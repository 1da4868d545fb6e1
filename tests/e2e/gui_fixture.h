// The test fixture shared by the tests that run the real normviz program under Xvfb
// (tests/e2e, tests/soak): per test a private X server, a scratch folder and at most one
// program with its --status lines read, plus xdotool input and failure diagnostics.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/shape.h"
#include "gui_harness.h"

namespace normviz::e2e {

// Software GL starts in a few seconds; these bounds only stop a hung run.
inline constexpr Seconds kStartTimeout{45};
inline constexpr Seconds kEventTimeout{20};

struct GuiFixtureOptions {
    std::string binary;                                 // the normviz program
    std::string tmp_root;                               // each test works in tmp_root/<test name>, emptied first
    bool needs_xdotool = true;                          // skip the test when xdotool is missing
    int screen_width = 1600, screen_height = 1000;      // the Xvfb screen
    int window_width = 1400, window_height = 900;       // launch()'s --size, screenshots' size
    std::map<std::string, std::string> extra_env = {};  // added to env()
    Seconds xdo_timeout = kEventTimeout;                // xdo() without a timeout of its own
    size_t stderr_tail = std::string::npos;             // diagnostics() shows at most this much stderr
};

// How GuiFixture::drag moves: the pauses before the press, before each move and before the release.
struct DragPace {
    int steps = 4;
    std::chrono::milliseconds press{0}, step{60}, release{60};
};

class GuiFixture : public ::testing::Test {
protected:
    explicit GuiFixture(GuiFixtureOptions options) : options_(std::move(options)) {}

    // Skips without Xvfb (or xdotool, when needed); empties the scratch folder; starts Xvfb.
    void SetUp() override;
    // Kills the program first, then (in the destructor) the X server.
    void TearDown() override;

    // Environment for normviz: the private display, software GL, HOME and XDG_CONFIG_HOME in
    // the scratch folder, no Wayland, plus app_preload() (gui_harness.h) as LD_PRELOAD.
    std::vector<std::string> env() const;
    // The same without the preload, for tools (xdotool, glslangValidator).
    std::vector<std::string> tool_env() const;
    std::string shot_path() const { return (tmp_ / "shot.png").string(); }
    // The options' window size as --size takes it ("1400x900").
    std::string window_size() const;

    // Starts the desktop program at the options' window size (1400x900) with status lines, F12 saving to shot_path(),
    // and `options` after those.
    void launch(const std::vector<std::string>& options);
    // Runs the desktop program to its end for `frames` frames at the options' window size, with
    // status lines, the last frame saved to `png`, and `options` after those.
    CommandResult run_frames(int frames, const std::string& png, const std::vector<std::string>& options,
                             Seconds timeout);
    // What the program said so far, for failure messages.
    std::string diagnostics();

    std::optional<StatusBlock> wait_block(const std::function<bool(const StatusBlock&)>& accept,
                                          Seconds timeout = kEventTimeout);
    // The next block whose focus is `focus`.
    std::optional<StatusBlock> wait_focus(const core::Index& focus);

    CommandResult xdo(std::vector<std::string> args) { return xdo(std::move(args), options_.xdo_timeout); }
    CommandResult xdo(std::vector<std::string> args, Seconds timeout);
    // Runs xdotool and fails the test when it does not succeed.
    void xdo_ok(const std::vector<std::string>& args);
    // The program's window id, found by its title.
    std::string find_window();
    // The program's window given the keyboard focus, with the pointer parked off it; empty
    // (and the test failed) when there is none.
    std::string focus_window();
    // Clicks the centre of `cell` in canvas `panel` of `block` (a tensor of `shape`).
    void click_cell(const std::string& window, const StatusBlock& block, size_t panel, const core::Shape& shape,
                    const core::Index& cell);
    // Clicks button 1 at `p` in the window's coordinates, with Shift held when `shift`; a
    // `hover` pause between moving and pressing lets frames see the pointer there first.
    void click_at(const std::string& window, Pixel p, bool shift = false, std::chrono::milliseconds hover = {});
    // Presses button 1 at `from`, moves to `to` in `pace.steps` steps (frames see a drag) and
    // releases it.
    void drag(const std::string& window, Pixel from, Pixel to, DragPace pace = {});
    // Presses F12 (xdotool key `key_options` --delay 200 F12) and loads the screenshot the
    // program reports saving to shot_path(): the whole window (the options' size).
    void save_screenshot(Image& image, const std::vector<std::string>& key_options = {});
    // With NORMVIZ_E2E_KEEP_SHOTS=DIR set, for looking at by hand: keep_shot copies the last
    // screenshot (shot_path()) to DIR/name; keep_screenshot saves one first (F12). Else nothing.
    void keep_shot(const std::string& name);
    void keep_screenshot(const std::string& name);
    // Moves the pointer off the window, so no tooltip covers the canvases.
    void park_pointer();
    // Lets the program finish its frames and go idle before the next input.
    static void settle();

    GuiFixtureOptions options_;
    std::optional<std::string> xdotool_;
    std::filesystem::path tmp_;
    Xvfb xvfb_;
    std::unique_ptr<Process> app_;
    std::unique_ptr<StatusReader> reader_;
};

}  // namespace normviz::e2e
