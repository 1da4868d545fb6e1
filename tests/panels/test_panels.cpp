// Headless panel tests: every panel runs for a few frames against an AppState in an ImGui
// context with no backend; keyboard input goes through io.KeysDown as the GLFW backend of
// ImGui 1.86 feeds it, and the tests assert on the state transitions.
#include <gtest/gtest.h>

#include <GLFW/glfw3.h>

#include "headless_imgui.h"

namespace {

using normviz::app::AppState;
using normviz::app::Palette;
using normviz::core::Index;
using normviz::core::NormKind;
using normviz::test::HeadlessImGui;
using normviz::test::make_state;

TEST(Panels, EveryPanelRunsForSeveralFrames) {
    HeadlessImGui ui;
    AppState state = make_state();
    state.show_help = true;
    for (int i = 0; i < 5; ++i) ui.app_frame(state);
    EXPECT_EQ(state.panels.size(), 6u);
    EXPECT_FALSE(state.quit_requested);
    EXPECT_FALSE(state.screenshot_requested);
    EXPECT_TRUE(state.show_help);
}

// The arithmetic (F6) and tokens (F7) windows open with their keys and draw with every norm.
TEST(Panels, ArithmeticAndTokenWindowsOpenWithTheirKeys) {
    HeadlessImGui ui;
    AppState state = make_state();
    ui.press(state, GLFW_KEY_F6);
    ui.press(state, GLFW_KEY_F7);
    EXPECT_TRUE(state.arithmetic.show);
    EXPECT_TRUE(state.tokens.show);
    const std::string text = ui.app_frame_text(state);
    EXPECT_NE(text.find("1. Gather"), std::string::npos) << text;
    EXPECT_NE(text.find("features (c)"), std::string::npos) << text;
    EXPECT_EQ(state.tokens.rows, state.tensor.shape.N * state.tensor.shape.H * state.tensor.shape.W);
    for (int k = 0; k < 9; ++k) ui.press(state, GLFW_KEY_PERIOD);
    EXPECT_EQ(state.arithmetic.stage, 7) << "the last stage stays";
    ui.press(state, GLFW_KEY_COMMA);
    EXPECT_EQ(state.arithmetic.stage, 6);
}

// A note ("opened scene ...") leaves the menu bar after kNoteSeconds; an error stays.
TEST(Panels, NotesLeaveTheMenuBarErrorsStay) {
    HeadlessImGui ui;
    AppState state = make_state();
    normviz::app::set_message(state, "opened scene x.json", false);
    ui.app_frame(state);
    EXPECT_TRUE(state.note_shown);
    state.message_time -= normviz::app::kNoteSeconds + 1;
    ui.app_frame(state);
    EXPECT_FALSE(state.note_shown);
    normviz::app::set_message(state, "x.json is not valid JSON", true);
    state.message_time -= normviz::app::kNoteSeconds + 1;
    const std::string text = ui.app_frame_text(state);
    EXPECT_NE(text.find("not valid JSON"), std::string::npos);
    EXPECT_FALSE(state.note_shown);
}

TEST(Panels, RunWithSidebarsHiddenAndInFigureMode) {
    HeadlessImGui ui;
    AppState state = make_state();
    state.show_controls = false;
    state.show_stats = false;
    for (int i = 0; i < 3; ++i) ui.app_frame(state);
    state.figure_mode = true;
    ui.frame([&] {
        const normviz::app::FrameLayout f = normviz::app::compute_frame_layout(state);
        EXPECT_EQ(f.menu_height, 0.0f);
        EXPECT_EQ(f.left, 0.0f);
        EXPECT_EQ(f.right, 0.0f);
        HeadlessImGui::draw_app(state);
    });
}

TEST(Panels, FrameLayoutSidebarsTakeAtMostHalfTheWidth) {
    HeadlessImGui ui;
    AppState state = make_state();
    for (float width : {1400.0f, 600.0f, 200.0f}) {
        ImGui::GetIO().DisplaySize = ImVec2(width, 900);
        ui.frame([&] {
            const normviz::app::FrameLayout f = normviz::app::compute_frame_layout(state);
            EXPECT_GT(f.menu_height, 0.0f);
            EXPECT_GT(f.left, 0.0f);
            EXPECT_GT(f.right, 0.0f);
            EXPECT_LE(f.left + f.right, width * 0.5f + 0.01f);
            HeadlessImGui::draw_app(state);
        });
    }
}

TEST(Panels, EveryNormInSingleViewAndEveryGeneratorDraws) {
    HeadlessImGui ui;
    AppState state = make_state();
    state.scene.single_view = true;
    for (NormKind k : normviz::core::kAllNormKinds) {
        state.scene.single_norm = k;
        ui.app_frame(state);
        ASSERT_EQ(state.panels.size(), 1u);
        EXPECT_EQ(state.panels[0].spec.kind, k);
        EXPECT_TRUE(state.panels[0].error.empty()) << state.panels[0].error;
    }
    for (normviz::core::Generator g : normviz::core::kAllGenerators) {
        state.scene.generator = g;
        normviz::app::regenerate_tensor(state);
        ui.app_frame(state);
        ui.app_frame(state);
    }
}

TEST(Shortcuts, RightAndLeftMoveFocusAlongW) {
    HeadlessImGui ui;
    AppState state = make_state();
    ASSERT_EQ(state.scene.focus, (Index{1, 2, 1, 2}));
    ui.press(state, GLFW_KEY_RIGHT);
    EXPECT_EQ(state.scene.focus, (Index{1, 2, 1, 3}));
    ui.press(state, GLFW_KEY_RIGHT);  // W = 4: clamped at 3
    EXPECT_EQ(state.scene.focus, (Index{1, 2, 1, 3}));
    ui.press(state, GLFW_KEY_LEFT);
    EXPECT_EQ(state.scene.focus, (Index{1, 2, 1, 2}));
    // The derived data follows the focus in the same frame.
    EXPECT_EQ(state.derived_focus, state.scene.focus);
}

TEST(Shortcuts, UpAndDownMoveFocusAlongH) {
    HeadlessImGui ui;
    AppState state = make_state();
    ui.press(state, GLFW_KEY_DOWN);
    EXPECT_EQ(state.scene.focus, (Index{1, 2, 2, 2}));
    ui.press(state, GLFW_KEY_UP);
    ui.press(state, GLFW_KEY_UP);
    ui.press(state, GLFW_KEY_UP);  // clamped at 0
    EXPECT_EQ(state.scene.focus, (Index{1, 2, 0, 2}));
}

TEST(Shortcuts, ShiftArrowsMoveFocusAlongNAndC) {
    HeadlessImGui ui;
    AppState state = make_state();
    ui.press(state, GLFW_KEY_DOWN, /*shift=*/true);
    EXPECT_EQ(state.scene.focus, (Index{2, 2, 1, 2}));
    ui.press(state, GLFW_KEY_UP, true);
    ui.press(state, GLFW_KEY_UP, true);
    EXPECT_EQ(state.scene.focus, (Index{0, 2, 1, 2}));
    ui.press(state, GLFW_KEY_RIGHT, true);
    EXPECT_EQ(state.scene.focus, (Index{0, 3, 1, 2}));
    ui.press(state, GLFW_KEY_LEFT, true);
    ui.press(state, GLFW_KEY_LEFT, true);
    EXPECT_EQ(state.scene.focus, (Index{0, 1, 1, 2}));
}

TEST(Shortcuts, VTogglesSingleViewAndPanelsFollow) {
    HeadlessImGui ui;
    AppState state = make_state();
    ASSERT_FALSE(state.scene.single_view);
    ui.press(state, GLFW_KEY_V);
    EXPECT_TRUE(state.scene.single_view);
    ASSERT_EQ(state.panels.size(), 1u);
    EXPECT_EQ(state.panels[0].spec.kind, state.scene.single_norm);
    ui.press(state, GLFW_KEY_V);
    EXPECT_FALSE(state.scene.single_view);
    EXPECT_EQ(state.panels.size(), state.scene.compared.size());
}

TEST(Shortcuts, DigitThreeSelectsInstanceNormSingleView) {
    HeadlessImGui ui;
    AppState state = make_state();
    ui.press(state, GLFW_KEY_3);
    EXPECT_TRUE(state.scene.single_view);
    EXPECT_EQ(state.scene.single_norm, NormKind::Instance);
    ASSERT_EQ(state.panels.size(), 1u);
    EXPECT_EQ(state.panels[0].spec.kind, NormKind::Instance);
    EXPECT_EQ(state.panels[0].partition.group_count(), 4 * 6);  // one group per (n, c)
    ui.press(state, GLFW_KEY_7);
    EXPECT_EQ(state.scene.single_norm, NormKind::Custom);
    ui.press(state, GLFW_KEY_1);
    EXPECT_EQ(state.scene.single_norm, NormKind::Batch);
}

TEST(Shortcuts, TabCyclesSingleNormBothWays) {
    HeadlessImGui ui;
    AppState state = make_state();
    ui.app_frame(state);  // the canvas area, created last, has the focus as in the program
    ui.press(state, GLFW_KEY_TAB);
    EXPECT_TRUE(state.scene.single_view);
    EXPECT_EQ(state.scene.single_norm, NormKind::Layer);
    ui.press(state, GLFW_KEY_TAB);
    EXPECT_EQ(state.scene.single_norm, NormKind::Instance);
    ui.press(state, GLFW_KEY_TAB, /*shift=*/true);
    ui.press(state, GLFW_KEY_TAB, true);
    ui.press(state, GLFW_KEY_TAB, true);
    EXPECT_EQ(state.scene.single_norm, NormKind::Custom);  // wraps from Batch to the last
}

// Known bug (reported, not fixed here): once a sidebar has the focus (the user clicked a
// control in it), Tab also triggers ImGui 1.86's tab-focus cycling (UpdateTabFocus), which
// activates the sidebar's first tab stop (a typed extent or the gamma drag as a text field).
// From then on io.WantCaptureKeyboard is true and Tab, arrows, V, digits and Space are
// swallowed until the user clicks the canvas. Enable when the sidebars stop taking Tab (e.g.
// ImGuiWindowFlags_NoNavInputs on them, which 1.86 also checks for tab focus).
TEST(Shortcuts, TabKeepsCyclingAfterASidebarTookTheFocus) {
    HeadlessImGui ui;
    AppState state = make_state();
    ui.app_frame(state);
    for (const char* sidebar : {"Controls##controls", "Statistics of the focus##stats"}) {
        ui.frame([&] {
            HeadlessImGui::draw_app(state);
            ImGui::SetWindowFocus(sidebar);
        });
        ui.app_frame(state);
        state.scene.single_norm = NormKind::Batch;
        for (NormKind want : {NormKind::Layer, NormKind::Instance, NormKind::Group}) {
            ui.press(state, GLFW_KEY_TAB);
            EXPECT_EQ(state.scene.single_norm, want) << "focus on " << sidebar;
        }
        EXPECT_FALSE(ImGui::GetIO().WantCaptureKeyboard) << "focus on " << sidebar;
        ui.press(state, GLFW_KEY_RIGHT);
        ui.press(state, GLFW_KEY_LEFT);
    }
}

TEST(Shortcuts, SpaceTogglesNormalized) {
    HeadlessImGui ui;
    AppState state = make_state();
    ASSERT_FALSE(state.scene.show_normalized);
    ui.press(state, GLFW_KEY_SPACE);
    EXPECT_TRUE(state.scene.show_normalized);
    ui.press(state, GLFW_KEY_SPACE);
    EXPECT_FALSE(state.scene.show_normalized);
}

TEST(Shortcuts, F1TogglesHelpAndEscapeClosesIt) {
    HeadlessImGui ui;
    AppState state = make_state();
    ASSERT_FALSE(state.show_help);
    ui.press(state, GLFW_KEY_F1);
    EXPECT_TRUE(state.show_help);
    ui.press(state, GLFW_KEY_F1);
    EXPECT_FALSE(state.show_help);
    ui.press(state, GLFW_KEY_F1);
    ASSERT_TRUE(state.show_help);
    ui.press(state, GLFW_KEY_ESCAPE);
    EXPECT_FALSE(state.show_help);
}

TEST(Shortcuts, HelpWindowListsTheShortcuts) {
    HeadlessImGui ui;
    AppState state = make_state();
    state.show_help = true;
    ui.app_frame(state);
    const std::string text = ui.app_frame_text(state);
    EXPECT_NE(text.find("Shift + Up / Down"), std::string::npos) << text;
    EXPECT_NE(text.find("this help"), std::string::npos);
}

TEST(Shortcuts, SidebarsPaletteFitZoomAndRequests) {
    HeadlessImGui ui;
    AppState state = make_state();
    ui.press(state, GLFW_KEY_F2);
    EXPECT_FALSE(state.show_controls);
    ui.press(state, GLFW_KEY_F3);
    EXPECT_FALSE(state.show_stats);
    ui.press(state, GLFW_KEY_F2);
    ui.press(state, GLFW_KEY_F3);
    EXPECT_TRUE(state.show_controls);
    EXPECT_TRUE(state.show_stats);

    ui.press(state, GLFW_KEY_P);
    EXPECT_EQ(state.scene.palette, Palette::BlueOrange);
    ui.press(state, GLFW_KEY_P);
    EXPECT_EQ(state.scene.palette, Palette::BlueRed);

    state.camera.needs_fit = false;
    ui.press(state, GLFW_KEY_0);
    EXPECT_TRUE(state.camera.needs_fit);
    ui.press(state, GLFW_KEY_EQUAL);
    ui.press(state, GLFW_KEY_KP_ADD);
    ui.press(state, GLFW_KEY_MINUS);
    EXPECT_EQ(state.camera.zoom_steps, 1);

    ui.press(state, GLFW_KEY_F12);
    EXPECT_TRUE(state.screenshot_requested);  // the desktop loop clears it after saving
    ui.press(state, GLFW_KEY_F11);
    EXPECT_TRUE(state.fullscreen_requested);
}

TEST(Shortcuts, CtrlKeysChangeTextSizeAndQuitButNotFocus) {
    HeadlessImGui ui;
    AppState state = make_state();
    const float size = state.font_size;
    ui.press(state, GLFW_KEY_EQUAL, false, /*ctrl=*/true);
    EXPECT_FLOAT_EQ(state.font_size, size + 2);
    EXPECT_TRUE(state.font_dirty);
    EXPECT_EQ(state.camera.zoom_steps, 0);  // Ctrl+= is text size, not zoom
    ui.press(state, GLFW_KEY_MINUS, false, true);
    EXPECT_FLOAT_EQ(state.font_size, size);
    const Index focus = state.scene.focus;
    ui.press(state, GLFW_KEY_RIGHT, false, true);
    EXPECT_EQ(state.scene.focus, focus);
    EXPECT_FALSE(state.quit_requested);
    ui.press(state, GLFW_KEY_Q, false, true);
    EXPECT_TRUE(state.quit_requested);
}

TEST(Shortcuts, IgnoredWhileATextFieldHasTheKeyboard) {
    HeadlessImGui ui;
    AppState state = make_state();
    char buf[64] = "";
    auto text_window = [&] {
        ImGui::Begin("typing##test");
        ImGui::SetKeyboardFocusHere();
        ImGui::InputText("##field", buf, sizeof buf);
        ImGui::End();
    };
    ui.frame([&] {
        HeadlessImGui::draw_app(state);
        text_window();
    });
    ui.frame([&] {
        HeadlessImGui::draw_app(state);
        text_window();
    });
    ImGuiIO& io = ImGui::GetIO();
    io.KeysDown[GLFW_KEY_V] = true;
    io.KeysDown[GLFW_KEY_RIGHT] = true;
    state.key_presses = {{GLFW_KEY_V, 0}, {GLFW_KEY_RIGHT, 0}};  // as the window queues them
    ui.frame([&] {
        EXPECT_TRUE(io.WantCaptureKeyboard);
        HeadlessImGui::draw_app(state);
        text_window();
    });
    io.KeysDown[GLFW_KEY_V] = false;
    io.KeysDown[GLFW_KEY_RIGHT] = false;
    EXPECT_FALSE(state.scene.single_view);
    EXPECT_EQ(state.scene.focus, (Index{1, 2, 1, 2}));
    // Function keys still work while typing.
    io.KeysDown[GLFW_KEY_F1] = true;
    state.key_presses = {{GLFW_KEY_F1, 0}};
    ui.frame([&] {
        EXPECT_TRUE(io.WantCaptureKeyboard);
        HeadlessImGui::draw_app(state);
        text_window();
    });
    io.KeysDown[GLFW_KEY_F1] = false;
    EXPECT_TRUE(state.show_help);
}

TEST(Panels, MenuBarAndControlsShowTheMessage) {
    HeadlessImGui ui;
    AppState state = make_state();
    normviz::app::set_message(state, "loaded something (4, 6, 4, 4)", false);
    const std::string text = ui.app_frame_text(state);
    EXPECT_NE(text.find("loaded something"), std::string::npos) << text;
}

TEST(Panels, StatisticsPanelShowsFocusAndEveryNorm) {
    HeadlessImGui ui;
    ImGui::GetIO().DisplaySize = ImVec2(1400, 5000);  // tall enough that no section is clipped
    AppState state = make_state();
    ui.app_frame(state);
    const std::string text = ui.app_frame_text(state);
    EXPECT_NE(text.find("focus (n, c, h, w) = (1, 2, 1, 2)"), std::string::npos) << text;
    for (const char* title : {"BatchNorm", "LayerNorm", "InstanceNorm", "GroupNorm (G=2)", "RMSNorm"})
        EXPECT_NE(text.find(title), std::string::npos) << title;
    EXPECT_NE(text.find("variance"), std::string::npos);
    EXPECT_NE(text.find("RMS"), std::string::npos);
    EXPECT_EQ(text.find("NaN"), std::string::npos) << text;
    EXPECT_EQ(text.find("nan"), std::string::npos) << text;
}

}  // namespace
