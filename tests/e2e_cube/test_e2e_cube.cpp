// The cube view end to end: normviz --view cube under Xvfb, a real click (xdotool) at the
// pixel where app/view/cube_camera.h projects a voxel, and the focus the program reports.
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "app/view/cube_camera.h"
#include "app/view/cube_geometry.h"
#include "x_session.h"

namespace normviz::e2e_cube {
namespace {

using namespace std::chrono_literals;
using app::Box;
using app::CubeCamera;
using app::CubeGeometry;
using app::CubeView;

std::vector<double> numbers(const std::string& text) {
    std::vector<double> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        out.push_back(std::atof(text.substr(start, comma - start).c_str()));
        start = comma + 1;
    }
    return out;
}

std::string index_text(const core::Index& i) {
    return std::to_string(i.n) + "," + std::to_string(i.c) + "," + std::to_string(i.h) + "," + std::to_string(i.w);
}

bool has_cube(const StatusBlock& b, const void*) { return !b.get("cube", "yaw").empty() && !b.panels.empty(); }
bool focus_is(const StatusBlock& b, const void* want) {
    return b.get("status", "focus") == *static_cast<const std::string*>(want);
}
bool yaw_is_not(const StatusBlock& b, const void* old) {
    return !b.get("cube", "yaw").empty() && b.get("cube", "yaw") != *static_cast<const std::string*>(old);
}

// What the status block says about the cubes: geometry, camera, where each canvas is.
struct Scene {
    CubeGeometry geometry;
    CubeCamera camera;
    std::vector<std::vector<double>> canvases;  // x, y, w, h per panel
};

Scene scene_of(const StatusBlock& b) {
    Scene s;
    const auto shape = numbers(b.get("status", "shape"));
    const core::Shape sh{int64_t(shape.at(0)), int64_t(shape.at(1)), int64_t(shape.at(2)), int64_t(shape.at(3))};
    s.geometry =
        app::make_cube_geometry(sh, b.get("cube", "split") == "1", std::atoll(b.get("cube", "max_voxels").c_str()));
    s.camera = {float(std::atof(b.get("cube", "yaw").c_str())), float(std::atof(b.get("cube", "pitch").c_str())),
                float(std::atof(b.get("cube", "distance").c_str()))};
    for (const auto& p : b.panels) s.canvases.push_back(numbers(p.at("canvas")));
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

class CubeE2E : public ::testing::Test {
protected:
    void start(const std::vector<std::string>& extra = {}) {
        if (!have_program("Xvfb") || !have_program("xdotool")) GTEST_SKIP() << "needs Xvfb and xdotool";
        std::string error;
        ASSERT_TRUE(x.start_server(1600, 1000, error)) << error;
        std::vector<std::string> args{"--status", "--no-settings", "--no-vsync", "--size", "1400x900"};
        args.insert(args.end(), extra.begin(), extra.end());
        ASSERT_TRUE(x.start_program(NORMVIZ_BINARY, args));
        ASSERT_TRUE(x.next_status(first, 60s, has_cube)) << "no status block with a cube line";
    }

    // Clicks the predicted pixel and waits until the program reports `element` as the focus.
    void click_and_expect(const Scene& s, int panel, const core::Index& element, Face face) {
        const glm::vec2 at = predict(s, panel, element, face);
        ASSERT_TRUE(x.click(int(std::lround(at.x)), int(std::lround(at.y))));
        const std::string want = index_text(element);
        StatusBlock b;
        ASSERT_TRUE(x.next_status(b, 30s, focus_is, &want))
            << "focus did not become " << want << " after a click at " << at.x << "," << at.y;
        last = b;
    }

    XSession x;
    StatusBlock first, last;
};

TEST_F(CubeE2E, ClickOnFrontVoxelMakesItTheFocusOfEveryNorm) {
    start({"--view", "cube"});
    const Scene s = scene_of(first);
    ASSERT_EQ(s.canvases.size(), 6u);  // default: six norms compared
    EXPECT_EQ(first.get("cube", "split"), "0");
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
    ASSERT_TRUE(x.drag(cx, cy, cx + 150, cy));
    const std::string old_yaw = first.get("cube", "yaw");
    StatusBlock turned;
    ASSERT_TRUE(x.next_status(turned, 30s, yaw_is_not, &old_yaw));
    // Let the drag settle: the last status block holds the final camera.
    StatusBlock settled = turned;
    while (x.next_status(settled, 1500ms)) turned = settled;
    const Scene after = scene_of(turned);
    EXPECT_LT(after.camera.yaw, before.camera.yaw - 20);                     // dragging right turns the cube right
    EXPECT_EQ(turned.get("status", "focus"), first.get("status", "focus"));  // a drag is no click
    // The camera is shared: a different cube than the one dragged is clicked where the new
    // camera puts the voxel. With yaw < 0 the left face (n = 0) shows.
    click_and_expect(after, 4, {0, 3, 1, 2}, Face::Left);
}

TEST_F(CubeE2E, SplitModeKeepsHAndWApart) {
    start({"--view", "cube-hw", "--norm", "group,instance"});
    const Scene s = scene_of(first);
    EXPECT_EQ(first.get("cube", "split"), "1");
    ASSERT_EQ(s.canvases.size(), 2u);
    click_and_expect(s, 0, {2, 0, 1, 3}, Face::Front);
    click_and_expect(s, 1, {1, 5, 0, 2}, Face::Top);
}

TEST(CubeRender, RenderSubcommandWritesTheFigure) {
    if (!have_program("Xvfb")) GTEST_SKIP() << "needs Xvfb";
    XSession x;
    std::string error;
    ASSERT_TRUE(x.start_server(1600, 1000, error)) << error;
    const std::string out = std::string(NORMVIZ_TEST_TMP_DIR) + "/cube_figure.png";
    std::remove(out.c_str());
    const char* preload = std::getenv("NORMVIZ_TEST_APP_LD_PRELOAD");
    const std::string cmd =
        "DISPLAY=" + x.display() + " LIBGL_ALWAYS_SOFTWARE=1 " +
        (preload ? "LD_PRELOAD='" + std::string(preload) + "' " : std::string()) + "'" + NORMVIZ_BINARY +
        "' render --view cube --norm batch,layer,instance,group --size 1600x520 --out '" + out + "' >/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    struct stat st {};
    ASSERT_EQ(stat(out.c_str(), &st), 0);
    EXPECT_GT(st.st_size, 10000);
    const std::string bad =
        "'" + std::string(NORMVIZ_BINARY) + "' render --view cubes --norm batch --out x.png 2>/dev/null";
    EXPECT_NE(std::system(bad.c_str()), 0);
}

}  // namespace
}  // namespace normviz::e2e_cube
