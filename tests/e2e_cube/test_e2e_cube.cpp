// The cube view end to end: normviz --view cube under Xvfb, a real click (xdotool) at the
// pixel where app/view/cube_camera.h projects a voxel, and the focus the program reports.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "app/view/cube_camera.h"
#include "app/view/cube_geometry.h"
#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

using app::Box;
using app::CubeCamera;
using app::CubeGeometry;
using app::CubeView;

bool has_cube(const StatusBlock& b) { return !b.field("cube", "yaw").empty() && !b.panels.empty(); }

// What the status block says about the cubes: geometry, camera, where each canvas is.
struct Scene {
    CubeGeometry geometry;
    CubeCamera camera;
    std::vector<std::vector<double>> canvases;  // x, y, w, h per panel
};

Scene scene_of(const StatusBlock& b) {
    Scene s;
    const auto shape = parse_numbers(b.field("status", "shape"));
    const core::Shape sh{int64_t(shape.at(0)), int64_t(shape.at(1)), int64_t(shape.at(2)), int64_t(shape.at(3))};
    s.geometry =
        app::make_cube_geometry(sh, b.field("cube", "split") == "1", std::atoll(b.field("cube", "max_voxels").c_str()));
    s.camera = {float(std::atof(b.field("cube", "yaw").c_str())), float(std::atof(b.field("cube", "pitch").c_str())),
                float(std::atof(b.field("cube", "distance").c_str()))};
    for (const auto& p : b.panels) s.canvases.push_back(parse_numbers(p.at("canvas")));
    return s;
}

enum class Face { Front, Top, Left, Right };

// Window pixel of the middle of a voxel's face in panel `panel`, checked against picking.
glm::vec2 predict(const Scene& s, int panel, const core::Index& element, Face face) {
    const auto& c = s.canvases.at(panel);
    const CubeView view = app::make_cube_view(s.camera, s.geometry, {float(c[2]), float(c[3])});
    const Box b = app::voxel_box(s.geometry, app::voxel_of(s.geometry, element));
    glm::vec3 p = b.center();
    if (face == Face::Front) p.z = b.hi.z;
    if (face == Face::Top) p.y = b.hi.y;
    if (face == Face::Left) p.x = b.lo.x;
    if (face == Face::Right) p.x = b.hi.x;
    const glm::vec2 local = app::project_to_screen(view, p);
    auto picked = app::pick_element(s.geometry, view, local);
    EXPECT_TRUE(picked && *picked == element) << "the prediction itself does not pick " << index_text(element);
    return {float(c[0]) + local.x, float(c[1]) + local.y};
}

class CubeE2E : public GuiFixture {
protected:
    CubeE2E() : GuiFixture({.binary = NORMVIZ_BINARY, .tmp_root = NORMVIZ_E2E_TMP_DIR}) {}

    void start(const std::vector<std::string>& extra = {}) {
        ASSERT_NO_FATAL_FAILURE(launch(extra));
        auto block = wait_block(has_cube, Seconds(60));
        ASSERT_TRUE(block) << "no status block with a cube line\n" << diagnostics();
        first = *block;
        window = find_window();
        ASSERT_FALSE(window.empty());
    }

    // Clicks the predicted pixel and waits until the program reports `element` as the focus.
    void click_and_expect(const Scene& s, int panel, const core::Index& element, Face face) {
        const glm::vec2 at = predict(s, panel, element, face);
        ASSERT_NO_FATAL_FAILURE(
            click_at(window, {int(std::lround(at.x)), int(std::lround(at.y))}, false, std::chrono::milliseconds(250)));
        const std::string want = index_text(element);
        auto got = wait_block([&](const StatusBlock& b) { return b.focus() == want; }, Seconds(30));
        ASSERT_TRUE(got) << "focus did not become " << want << " after a click at " << at.x << "," << at.y;
        last = *got;
    }

    std::string window;
    StatusBlock first, last;
};

TEST_F(CubeE2E, ClickOnFrontVoxelMakesItTheFocusOfEveryNorm) {
    start({"--view", "cube"});
    const Scene s = scene_of(first);
    ASSERT_EQ(s.canvases.size(), 6u);  // default: six norms compared
    EXPECT_EQ(first.field("cube", "split"), "0");
    const core::Index target{3, 0, 2, 1};
    click_and_expect(s, 0, target, Face::Front);
    // Every norm's statistics follow the shared focus: BatchNorm's group is c, LayerNorm's n,
    // InstanceNorm's (n, c).
    ASSERT_EQ(last.panels.size(), 6u);
    EXPECT_EQ(last.panels[0].at("norm"), "batch");
    EXPECT_EQ(last.panels[0].at("group"), "0");
    EXPECT_EQ(last.panels[1].at("group"), "3");
    EXPECT_EQ(last.panels[2].at("group"), std::to_string(3 * 6 + 0));
}

TEST_F(CubeE2E, ClickOnTopVoxelOfAnotherCube) {
    start({"--view", "cube"});
    const Scene s = scene_of(first);
    click_and_expect(s, 3, {1, 4, 0, 0}, Face::Top);
    click_and_expect(s, 5, {3, 2, 0, 0}, Face::Right);
}

TEST_F(CubeE2E, DragTurnsEveryCubeAndClicksStillLand) {
    start({"--view", "cube"});
    const Scene before = scene_of(first);
    const auto& c = before.canvases.at(1);
    const int cx = int(c[0] + c[2] / 2), cy = int(c[1] + c[3] / 2);
    ASSERT_NO_FATAL_FAILURE(drag(window, {cx, cy}, {cx + 150, cy},
                                 {.steps = 8,
                                  .press = std::chrono::milliseconds(200),
                                  .step = std::chrono::milliseconds(80),
                                  .release = std::chrono::milliseconds(280)}));
    const std::string old_yaw = first.field("cube", "yaw");
    auto turned = wait_block(
        [&](const StatusBlock& b) { return !b.field("cube", "yaw").empty() && b.field("cube", "yaw") != old_yaw; },
        Seconds(30));
    ASSERT_TRUE(turned);
    // Let the drag settle: the last status block holds the final camera.
    while (auto settled = wait_block([](const StatusBlock&) { return true; }, Seconds(1.5))) turned = settled;
    const Scene after = scene_of(*turned);
    EXPECT_LT(after.camera.yaw, before.camera.yaw - 20);                          // dragging right turns the cube right
    EXPECT_EQ(turned->field("status", "focus"), first.field("status", "focus"));  // a drag is no click
    // The camera is shared: a different cube than the one dragged is clicked where the new
    // camera puts the voxel. With yaw < 0 the left face (n = 0) shows.
    click_and_expect(after, 4, {0, 3, 1, 2}, Face::Left);
}

TEST_F(CubeE2E, SplitModeKeepsHAndWApart) {
    start({"--view", "cube-hw", "--norm", "group,instance"});
    const Scene s = scene_of(first);
    EXPECT_EQ(first.field("cube", "split"), "1");
    ASSERT_EQ(s.canvases.size(), 2u);
    click_and_expect(s, 0, {2, 0, 1, 3}, Face::Front);
    click_and_expect(s, 1, {1, 5, 0, 2}, Face::Top);
}

// The render subcommand on the X server, without input.
class CubeRender : public GuiFixture {
protected:
    CubeRender() : GuiFixture({.binary = NORMVIZ_BINARY, .tmp_root = NORMVIZ_E2E_TMP_DIR, .needs_xdotool = false}) {}
};

TEST_F(CubeRender, RenderSubcommandWritesTheFigure) {
    const std::string out = (tmp_ / "cube_figure.png").string();
    const CommandResult r = run_command({NORMVIZ_BINARY, "render", "--view", "cube", "--norm",
                                         "batch,layer,instance,group", "--size", "1600x520", "--out", out},
                                        env(), Seconds(120));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::error_code ec;
    ASSERT_TRUE(std::filesystem::exists(out, ec));
    EXPECT_GT(std::filesystem::file_size(out, ec), 10000u);
    const CommandResult bad = run_command(
        {NORMVIZ_BINARY, "render", "--view", "cubes", "--norm", "batch", "--out", "x.png"}, env(), Seconds(60));
    EXPECT_NE(bad.exit_code, 0);
}

}  // namespace
}  // namespace normviz::e2e
