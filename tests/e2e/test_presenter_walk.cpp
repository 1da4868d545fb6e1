// Every step of every shipped lesson in presenter mode, stepped with real key presses (PageDown,
// Shift+PageDown for the next lesson) at 1920x1080 and 1280x720 full screen: the lesson text
// and its table fit without scrolling, and every sample block and device shard in view has its
// label. The --status lines report what was drawn (app/desktop/status_line.cpp).
#include <gtest/gtest.h>

#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

// How many lessons the program ships (the status line's count).
int lesson_count(const StatusBlock& b) { return static_cast<int>(number(b.records.at("ui"), "lessons")); }

std::pair<int, int> lesson_and_step(const StatusBlock& b) {
    const auto v = parse_numbers(b.records.at("ui").at("lesson"));
    return {static_cast<int>(v.at(0)), static_cast<int>(v.at(1))};
}

// "k/v": labels drawn / blocks in view.
std::pair<int, int> labels(const std::map<std::string, std::string>& panel, const std::string& key) {
    const std::string text = panel.at(key);
    const size_t slash = text.find('/');
    return {std::atoi(text.substr(0, slash).c_str()), std::atoi(text.substr(slash + 1).c_str())};
}

class PresenterWalk : public GuiFixture {
protected:
    PresenterWalk(int w, int h)
        : GuiFixture({.binary = NORMVIZ_BINARY,
                      .tmp_root = NORMVIZ_E2E_TMP_DIR,
                      .screen_width = w,
                      .screen_height = h,
                      .window_width = w,
                      .window_height = h}),
          width_(w),
          height_(h) {}

    void walk() {
        ASSERT_NO_FATAL_FAILURE(
            launch({"--scene", NORMVIZ_SOURCE_DIR "/assets/lessons/01_four_norms.json", "--presenter"}));
        auto ready = [](const StatusBlock& b) {
            return b.records.count("ui") && b.records.at("ui").at("presenter") == "1" && !b.panels.empty() &&
                   b.panels[0].count("canvas");
        };
        auto first = wait_block(ready, kStartTimeout);
        ASSERT_TRUE(first) << diagnostics();
        const std::string window = find_window();
        ASSERT_FALSE(window.empty());
        xdo_ok({"windowfocus", "--sync", window});
        park_pointer();
        const int lessons = lesson_count(*first);
        ASSERT_GE(lessons, 8);
        std::pair<int, int> at = lesson_and_step(*first);
        ASSERT_EQ(at, std::make_pair(0, 0));
        int steps_seen = 0;
        while (true) {
            SCOPED_TRACE("lesson " + std::to_string(at.first + 1) + " step " + std::to_string(at.second + 1));
            // The strip shrinks its text over a few frames until it fits; a step whose text
            // and table never fit never reports lesson_fits=1.
            auto fits = [&](const StatusBlock& b) {
                return ready(b) && lesson_and_step(b) == at && b.records.at("ui").at("lesson_fits") == "1";
            };
            // The program prints a block only when something changed: the last one read may
            // already be the settled one.
            const auto& last = reader_->last_block();
            auto shown_block = last && fits(*last) ? last : wait_block(fits);
            ASSERT_TRUE(shown_block) << "the lesson text or table does not fit at " << width_ << "x" << height_ << "\n"
                                     << diagnostics();
            const StatusBlock& shown = *shown_block;
            for (const auto& panel : shown.panels) {
                if (!panel.count("sample_labels")) continue;
                const auto [samples, samples_in_view] = labels(panel, "sample_labels");
                const auto [devices, devices_in_view] = labels(panel, "device_labels");
                EXPECT_GT(samples_in_view, 0) << panel.at("norm");
                EXPECT_EQ(samples, samples_in_view) << panel.at("norm") << ": a sample label is missing";
                EXPECT_EQ(devices, devices_in_view) << panel.at("norm") << ": a device label is missing";
            }
            ASSERT_NO_FATAL_FAILURE(keep_screenshot("presenter_" + std::to_string(width_) + "_" +
                                                    std::to_string(at.first + 1) + "_" + std::to_string(at.second + 1) +
                                                    ".png"));
            ++steps_seen;
            // PageDown steps within a lesson; after its last step Shift+PageDown opens the next.
            const int steps = static_cast<int>(number(shown.records.at("ui"), "lesson_steps"));
            std::pair<int, int> next;
            if (at.second + 1 < steps) {
                xdo_ok({"key", "--delay", "150", "Next"});
                next = {at.first, at.second + 1};
            } else if (at.first + 1 < lessons) {
                xdo_ok({"key", "--delay", "150", "shift+Next"});
                next = {at.first + 1, 0};
            } else {
                break;
            }
            auto after = wait_block([&](const StatusBlock& b) { return ready(b) && lesson_and_step(b) == next; });
            ASSERT_TRUE(after) << "the key did not open lesson " << next.first + 1 << " step " << next.second + 1
                               << "\n"
                               << diagnostics();
            at = next;
        }
        EXPECT_GE(steps_seen, 35);  // the 9 shipped lessons
    }

    int width_, height_;
};

class PresenterWalk1080 : public PresenterWalk {
protected:
    PresenterWalk1080() : PresenterWalk(1920, 1080) {}
};

class PresenterWalk720 : public PresenterWalk {
protected:
    PresenterWalk720() : PresenterWalk(1280, 720) {}
};

TEST_F(PresenterWalk1080, EveryStepFitsWithEveryLabel) { walk(); }

TEST_F(PresenterWalk720, EveryStepFitsWithEveryLabel) { walk(); }

}  // namespace
}  // namespace normviz::e2e
