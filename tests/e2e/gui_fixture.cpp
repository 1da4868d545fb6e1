#include "gui_fixture.h"

#include <cstdlib>

#include <sstream>
#include <thread>

namespace normviz::e2e {

namespace fs = std::filesystem;

void GuiFixture::SetUp() {
    if (options_.needs_xdotool) {
        xdotool_ = find_tool("xdotool");
        if (!xdotool_) GTEST_SKIP() << "xdotool is not installed (scripts/install_deps.sh installs it)";
    }
    if (!find_tool("Xvfb")) GTEST_SKIP() << "Xvfb is not installed (scripts/install_deps.sh installs it)";
    tmp_ = fs::path(options_.tmp_root) / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::error_code ec;
    fs::remove_all(tmp_, ec);
    fs::create_directories(tmp_);
    std::string error;
    ASSERT_TRUE(xvfb_.start(options_.screen_width, options_.screen_height, error)) << error;
}

void GuiFixture::TearDown() {
    if (app_) app_->kill_now();
}

std::vector<std::string> GuiFixture::tool_env() const {
    std::map<std::string, std::string> set = {{"DISPLAY", xvfb_.display()},
                                              {"LIBGL_ALWAYS_SOFTWARE", "1"},
                                              {"HOME", tmp_.string()},
                                              {"XDG_CONFIG_HOME", (tmp_ / "config").string()}};
    set.insert(options_.extra_env.begin(), options_.extra_env.end());
    return child_environment(set, {"WAYLAND_DISPLAY"});
}

std::vector<std::string> GuiFixture::env() const {
    std::vector<std::string> out = tool_env();
    if (const std::string preload = app_preload(); !preload.empty()) out.push_back("LD_PRELOAD=" + preload);
    return out;
}

std::string GuiFixture::window_size() const {
    return std::to_string(options_.window_width) + "x" + std::to_string(options_.window_height);
}

CommandResult GuiFixture::run_frames(int frames, const std::string& png, const std::vector<std::string>& options,
                                     Seconds timeout) {
    std::vector<std::string> argv = {options_.binary, "--no-settings", "--no-vsync",           "--status",     "--size",
                                     window_size(),   "--frames",      std::to_string(frames), "--screenshot", png};
    argv.insert(argv.end(), options.begin(), options.end());
    return run_command(argv, env(), timeout);
}

void GuiFixture::launch(const std::vector<std::string>& options) {
    std::vector<std::string> argv = {options_.binary, "--no-settings", "--no-vsync",   "--status",
                                     "--size",        window_size(),   "--screenshot", shot_path()};
    argv.insert(argv.end(), options.begin(), options.end());
    app_ = std::make_unique<Process>();
    ASSERT_TRUE(app_->start(argv, env())) << "cannot start " << options_.binary;
    reader_ = std::make_unique<StatusReader>(*app_);
}

std::string GuiFixture::diagnostics() {
    std::string out = "normviz stdout (last lines):\n" + (reader_ ? reader_->transcript() : "");
    if (app_) {
        app_->drain();
        const std::string& err = app_->stderr_text();
        const size_t tail = options_.stderr_tail;
        if (tail == std::string::npos) out += "normviz stderr:\n" + err;
        else
            out += "normviz stderr (last " + std::to_string(tail) + " bytes):\n" +
                   err.substr(err.size() > tail ? err.size() - tail : 0);
        if (app_->running()) out += "normviz is running\n";
        else
            out += "normviz has exited, status " + std::to_string(app_->wait_exit(Seconds(0)).value_or(-1)) +
                   " (128 + N: signal N)\n";
    }
    return out;
}

std::optional<StatusBlock> GuiFixture::wait_block(const std::function<bool(const StatusBlock&)>& accept,
                                                  Seconds timeout) {
    return reader_->wait_block(accept, timeout);
}

std::optional<StatusBlock> GuiFixture::wait_focus(const core::Index& focus) {
    const std::string want = index_text(focus);
    return wait_block([&](const StatusBlock& b) { return b.focus() == want; });
}

CommandResult GuiFixture::xdo(std::vector<std::string> args, Seconds timeout) {
    args.insert(args.begin(), *xdotool_);
    return run_command(args, tool_env(), timeout);
}

void GuiFixture::xdo_ok(const std::vector<std::string>& args) {
    CommandResult r = xdo(args);
    std::string joined;
    for (const std::string& a : args) joined += " " + a;
    ASSERT_EQ(r.exit_code, 0) << "xdotool" << joined << " failed: " << r.err;
}

std::string GuiFixture::find_window() {
    CommandResult r = xdo({"search", "--sync", "--name", "^normviz$"});
    std::stringstream lines(r.out);
    std::string id;
    std::getline(lines, id);
    EXPECT_EQ(r.exit_code, 0) << "no normviz window: " << r.err;
    return id;
}

std::string GuiFixture::focus_window() {
    const std::string id = find_window();
    if (id.empty()) return id;
    xdo_ok({"windowfocus", "--sync", id});
    park_pointer();
    return id;
}

void GuiFixture::click_cell(const std::string& window, const StatusBlock& block, size_t panel, const core::Shape& shape,
                            const core::Index& cell) {
    click_at(window, cell_center(block, panel, shape, cell));
}

void GuiFixture::click_at(const std::string& window, Pixel p, bool shift, std::chrono::milliseconds hover) {
    std::vector<std::string> move = {"mousemove", "--window", window, std::to_string(p.x), std::to_string(p.y)};
    if (shift) xdo_ok({"keydown", "shift"});
    if (hover.count() > 0) {
        xdo_ok(move);
        std::this_thread::sleep_for(hover);
        xdo_ok({"click", "1"});
    } else {
        move.insert(move.end(), {"click", "1"});
        xdo_ok(move);
    }
    if (shift) xdo_ok({"keyup", "shift"});
}

void GuiFixture::drag(const std::string& window, Pixel from, Pixel to, DragPace pace) {
    xdo_ok({"mousemove", "--window", window, std::to_string(from.x), std::to_string(from.y)});
    std::this_thread::sleep_for(pace.press);
    xdo_ok({"mousedown", "1"});
    for (int k = 1; k <= pace.steps; ++k) {
        std::this_thread::sleep_for(pace.step);
        xdo_ok({"mousemove", "--window", window, std::to_string(from.x + (to.x - from.x) * k / pace.steps),
                std::to_string(from.y + (to.y - from.y) * k / pace.steps)});
    }
    std::this_thread::sleep_for(pace.release);
    xdo_ok({"mouseup", "1"});
}

void GuiFixture::save_screenshot(Image& image, const std::vector<std::string>& key_options) {
    std::vector<std::string> args = {"key"};
    args.insert(args.end(), key_options.begin(), key_options.end());
    args.insert(args.end(), {"--delay", "200", "F12"});
    ASSERT_NO_FATAL_FAILURE(xdo_ok(args));
    auto saved = reader_->wait_line("screenshot ", kEventTimeout);
    ASSERT_TRUE(saved) << "F12 did not save a screenshot\n" << diagnostics();
    EXPECT_EQ(*saved, "screenshot path=" + shot_path() + " ok=1");
    std::string error;
    ASSERT_TRUE(image.load(shot_path(), error)) << error;
    EXPECT_EQ(image.width, options_.window_width);
    EXPECT_EQ(image.height, options_.window_height);
}

void GuiFixture::keep_shot(const std::string& name) {
    if (const char* keep = std::getenv("NORMVIZ_E2E_KEEP_SHOTS")) {
        std::error_code ec;
        std::filesystem::copy_file(shot_path(), std::filesystem::path(keep) / name,
                                   std::filesystem::copy_options::overwrite_existing, ec);
    }
}

void GuiFixture::keep_screenshot(const std::string& name) {
    if (!std::getenv("NORMVIZ_E2E_KEEP_SHOTS")) return;
    settle();
    Image image;
    ASSERT_NO_FATAL_FAILURE(save_screenshot(image));
    keep_shot(name);
}

void GuiFixture::park_pointer() {
    xdo_ok({"mousemove", std::to_string(options_.screen_width - 10), std::to_string(options_.screen_height - 10)});
}

void GuiFixture::settle() { std::this_thread::sleep_for(std::chrono::milliseconds(400)); }

}  // namespace normviz::e2e
