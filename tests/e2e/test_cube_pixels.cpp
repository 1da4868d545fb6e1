// The cube view's pixels against the tensor. The shell finds the voxel under each pixel in
// shaders/cube_view.frag and the group colours each voxel face in cube_view.vert; a wrong
// mapping there (a flipped row, a swapped axis, a shifted block) would still draw a plausible
// cube. So: a tensor of +1 and -1 in a scrambled pattern, drawn by the real program under
// Xvfb; at the centre of every voxel face on the cube's surface that app/view/cube_camera.h
// projects and picks back as visible, the pixel must lean red for +1 and blue for -1, in the
// opaque group and in the translucent shell, in the flat and the H/W layout.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <glm/geometric.hpp>

#include "app/view/cube_camera.h"
#include "app/view/cube_geometry.h"
#include "core/npy.h"
#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

// +1 or -1 from a hash of the index: neighbours along every axis differ about half the time.
float scrambled_sign(int64_t n, int64_t c, int64_t h, int64_t w) {
    const uint64_t k =
        uint64_t(n) * 73856093u ^ uint64_t(c) * 19349663u ^ uint64_t(h) * 83492791u ^ uint64_t(w) * 2654435761u;
    return ((k >> 3) ^ (k >> 7)) & 1 ? 1.0f : -1.0f;
}

// Values of +1 and -1 (scrambled) with -2 and +2 at two voxels inside the cube, so that the
// surface shows t = +-0.5 of the palette, where its reds and blues are most saturated.
core::Tensor scrambled(core::Shape shape) {
    core::Tensor t = core::make_tensor(shape);
    for (int64_t n = 0; n < shape.N; ++n)
        for (int64_t c = 0; c < shape.C; ++c)
            for (int64_t h = 0; h < shape.H; ++h)
                for (int64_t w = 0; w < shape.W; ++w)
                    t.data[core::flat_index(shape, {n, c, h, w})] = scrambled_sign(n, c, h, w);
    t.data[core::flat_index(shape, {1, 2, 1, 1})] = 2.0f;
    t.data[core::flat_index(shape, {2, 2, 2, 1})] = -2.0f;
    return t;
}

// A .safetensors file holding bn.running_mean = 0 and bn.running_var = 1 (float32, C each),
// in the format's layout: u64 header length, JSON header, data.
void write_unit_running_stats(const std::string& path, int64_t C) {
    const std::string bytes = std::to_string(4 * C);
    std::string header = "{\"bn.running_mean\": {\"dtype\": \"F32\", \"shape\": [" + std::to_string(C) +
                         "], \"data_offsets\": [0, " + bytes +
                         "]}, \"bn.running_var\": {\"dtype\": \"F32\", "
                         "\"shape\": [" +
                         std::to_string(C) + "], \"data_offsets\": [" + bytes + ", " + std::to_string(8 * C) + "]}}";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    const uint64_t size = header.size();
    std::fwrite(&size, 8, 1, f);
    std::fwrite(header.data(), 1, header.size(), f);
    std::vector<float> values(static_cast<size_t>(C), 0.0f);
    values.resize(static_cast<size_t>(2 * C), 1.0f);
    std::fwrite(values.data(), sizeof(float), values.size(), f);
    std::fclose(f);
}

struct FaceCheck {
    int checked = 0, wrong = 0;
    int min_margin = 255;  // smallest |lean - background lean| on a checked face
    std::string first_wrong;
};

// Red minus blue of the canvas background (tensor_renderer.h: 30, 30, 34): a translucent
// face leans from there towards its colour.
constexpr int kBackgroundLean = 30 - 34;

class CubePixels : public GuiFixture {
protected:
    CubePixels() : GuiFixture({.binary = NORMVIZ_BINARY, .tmp_root = NORMVIZ_E2E_TMP_DIR}) {}

    // Starts the program on `tensor` with `options` (which pick the view and the norm), parks
    // the pointer off the window (no tooltip), saves a screenshot with F12, and checks the
    // centre pixel of every visible outer voxel face for which `check(element)` holds: it leans
    // red for a positive value, blue for a negative one.
    void run(const std::string& name, const core::Tensor& tensor, std::vector<std::string> options,
             const std::function<bool(const core::Index&)>& check, FaceCheck& out) {
        const std::string npy = (tmp_ / (name + ".npy")).string();
        ASSERT_TRUE(core::write_npy(npy, tensor));
        options.insert(options.end(), {"--input", npy});
        ASSERT_NO_FATAL_FAILURE(launch(options));
        const auto ready = wait_block(
            [](const StatusBlock& b) {
                return b.panels.size() == 1 && b.panels[0].count("canvas") && b.records.count("cube");
            },
            kStartTimeout);
        ASSERT_TRUE(ready) << diagnostics();
        park_pointer();
        settle();
        Image image;
        ASSERT_NO_FATAL_FAILURE(save_screenshot(image));
        const StatusBlock& b = reader_->last_block() ? *reader_->last_block() : *ready;
        const auto& cube = b.records.at("cube");
        const app::CubeGeometry g =
            app::make_cube_geometry(tensor.shape, cube.at("split") == "1", std::atoll(cube.at("max_voxels").c_str()));
        ASSERT_FALSE(g.binned()) << "the check needs one element per voxel";
        const app::CubeCamera camera{float(number(cube, "yaw")), float(number(cube, "pitch")),
                                     float(number(cube, "distance"))};
        const auto canvas = parse_numbers(b.panels.at(0).at("canvas"));
        const app::CubeView view = app::make_cube_view(camera, g, {float(canvas.at(2)), float(canvas.at(3))});
        const core::Shape& s = tensor.shape;
        for (int64_t n = 0; n < s.N; ++n)
            for (int64_t c = 0; c < s.C; ++c)
                for (int64_t h = 0; h < s.H; ++h)
                    for (int64_t w = 0; w < s.W; ++w) {
                        const core::Index e{n, c, h, w};
                        if (!check(e)) continue;
                        const app::Box box = app::voxel_box(g, app::voxel_of(g, e));
                        for (int side = 0; side < 6; ++side) {
                            const int axis = side / 2;
                            const float outward = side % 2 == 0 ? 1.0f : -1.0f;
                            glm::vec3 p = box.center();
                            p[axis] = side % 2 == 0 ? box.hi[axis] : box.lo[axis];
                            // Visible: facing the eye, and picking its centre finds this element.
                            if ((view.eye[axis] - p[axis]) * outward <= 0.0f) continue;
                            const glm::vec2 local = app::project_to_screen(view, p);
                            const auto picked = app::pick_element(g, view, local);
                            if (!picked || !(*picked == e)) continue;
                            // The centre at least 4 pixels from the face's edges on screen, so the
                            // 3x3 sample stays off its outlines: half-edge vectors e1, e2 of the
                            // projected face; the distance to the edges along e2 is |e1 x e2| / |e2|.
                            glm::vec3 p1 = p, p2 = p;
                            p1[(axis + 1) % 3] = box.hi[(axis + 1) % 3];
                            p2[(axis + 2) % 3] = box.hi[(axis + 2) % 3];
                            const glm::vec2 e1 = app::project_to_screen(view, p1) - local;
                            const glm::vec2 e2 = app::project_to_screen(view, p2) - local;
                            const float area = std::abs(e1.x * e2.y - e1.y * e2.x);
                            if (area < 4.0f * glm::length(e1) || area < 4.0f * glm::length(e2)) continue;
                            const int x = int(std::lround(canvas[0] + local.x));
                            const int y = int(std::lround(canvas[1] + local.y));
                            if (x < 2 || y < 2 || x >= image.width - 2 || y >= image.height - 2) continue;
                            int lean = 0;
                            for (int dy = -1; dy <= 1; ++dy)
                                for (int dx = -1; dx <= 1; ++dx)
                                    lean += image.at(x + dx, y + dy)[0] - image.at(x + dx, y + dy)[2];
                            lean = lean / 9 - kBackgroundLean;
                            ++out.checked;
                            out.min_margin = std::min(out.min_margin, std::abs(lean));
                            if ((lean > 0) != (tensor.at(e) > 0) || std::abs(lean) < 3) {
                                if (out.wrong++ == 0)
                                    out.first_wrong = index_text(e) + " side " + std::to_string(side) + " at pixel " +
                                                      std::to_string(x) + "," + std::to_string(y) + " leans " +
                                                      std::to_string(lean) + ", value " + std::to_string(tensor.at(e));
                            }
                        }
                    }
        std::printf("%s: %d faces checked, smallest lean %d\n", name.c_str(), out.checked, out.min_margin);
    }

    // The shell alone: BatchNorm in eval mode pools nothing, so no group is drawn and every
    // visible face is the translucent shell (one front face over one back face of the block).
    void shell(const std::string& name, const core::Tensor& tensor, const std::string& view, const std::string& camera,
               FaceCheck& out) {
        const std::string scene = (tmp_ / (name + ".json")).string();
        std::FILE* f = std::fopen(scene.c_str(), "w");
        ASSERT_NE(f, nullptr);
        // data_file: the .npy run() writes beside the scene (a scene without one generates data).
        // Eval mode pools nothing, so every voxel is shell; a loaded tensor's eval mode needs
        // running statistics: mean 0, variance 1 per channel, in a .safetensors beside it.
        const std::string running = (tmp_ / (name + ".safetensors")).string();
        write_unit_running_stats(running, tensor.shape.C);
        std::fprintf(f,
                     "{\"normviz_scene\": 1, \"shape\": [%d, %d, %d, %d], \"data_file\": \"%s.npy\", "
                     "\"norms\": [\"batch\"], \"batchnorm_eval\": true, \"running\": \"%s:bn\"}\n",
                     int(tensor.shape.N), int(tensor.shape.C), int(tensor.shape.H), int(tensor.shape.W), name.c_str(),
                     running.c_str());
        std::fclose(f);
        run(
            name, tensor, {"--scene", scene, "--view", view, "--cube-camera", camera},
            [](const core::Index&) { return true; }, out);
    }

    // The opaque group: LayerNorm's group of (0, 0, 0, 0), sample n = 0; only its faces are
    // checked (shell faces may show the group through them). The focus voxel wears a ring.
    void group(const std::string& name, const core::Tensor& tensor, const std::string& view, const std::string& camera,
               FaceCheck& out) {
        run(
            name, tensor, {"--norm", "layer", "--focus", "0,0,0,0", "--view", view, "--cube-camera", camera},
            [](const core::Index& e) {
                return e.n == 0 && !(e == core::Index{0, 0, 0, 0});
            },
            out);
    }

    // Both checks on one layout, each expecting at least the given number of visible faces.
    void check_layout(const core::Tensor& t, const std::string& view, const std::string& shell_camera, int min_shell,
                      const std::string& group_camera, int min_group) {
        FaceCheck s, g;
        ASSERT_NO_FATAL_FAILURE(shell(view + "_shell", t, view, shell_camera, s));
        EXPECT_GT(s.checked, min_shell);
        EXPECT_EQ(s.wrong, 0) << s.wrong << " of " << s.checked
                              << " shell faces lean the wrong way; first: " << s.first_wrong;
        ASSERT_NO_FATAL_FAILURE(group(view + "_group", t, view, group_camera, g));
        EXPECT_GT(g.checked, min_group);
        EXPECT_EQ(g.wrong, 0) << g.wrong << " of " << g.checked
                              << " group faces lean the wrong way; first: " << g.first_wrong;
    }
};

// Flat layout: the front, top and right sides (default angle) for the shell; the sample
// n = 0 side turned into view for the group.
TEST_F(CubePixels, FlatLayoutShowsEachVisibleVoxelsValue) {
    check_layout(scrambled({4, 6, 4, 4}), "cube", "32,24", 100, "-32,24", 30);
}

// H/W layout, a block per sample, seen head on from above so that no ray crosses into another
// block: the front and top sides of every block, and the inner x sides.
TEST_F(CubePixels, SplitLayoutShowsEachVisibleVoxelsValue) {
    check_layout(scrambled({3, 5, 4, 3}), "cube-hw", "0,20", 50, "0,20", 10);
}

}  // namespace
}  // namespace normviz::e2e
