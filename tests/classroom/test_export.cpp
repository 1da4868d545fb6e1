// SVG and CSV exports as pure functions of AppState.
#include <gtest/gtest.h>

#include <sstream>

#include "app/state/classroom_actions.h"
#include "app/state/export.h"

namespace normviz::app {
namespace {

AppState make_state(core::Shape shape, std::vector<core::NormKind> norms) {
    AppState state;
    state.scene.shape = shape;
    state.scene.compared = norms;
    state.scene.focus = {0, 0, 0, 0};
    regenerate_tensor(state);
    update_derived(state);
    return state;
}

size_t count(const std::string& text, const std::string& piece) {
    size_t n = 0;
    for (size_t at = text.find(piece); at != std::string::npos; at = text.find(piece, at + 1)) ++n;
    return n;
}

TEST(ExportCsv, OneRowPerNormWithThePanelsNumbers) {
    AppState state = make_state({4, 6, 4, 4}, {core::NormKind::Batch, core::NormKind::Group});
    const std::string csv = stats_to_csv(state);
    std::istringstream lines(csv);
    std::string header, batch, group;
    std::getline(lines, header);
    std::getline(lines, batch);
    std::getline(lines, group);
    EXPECT_EQ(header, "norm,G,group,group_key,values_pooled,mean,variance,std,mean_sq,x,x_hat,y,note");
    EXPECT_EQ(batch.rfind("batch,,0,c=0,64,", 0), 0u) << batch;
    EXPECT_EQ(group.rfind("group,2,0,\"n=0, g=0\",48,", 0), 0u) << group;  // key with a comma is quoted
    const core::GroupStats& s = state.panels[0].stats[0];
    char mean[40];
    std::snprintf(mean, sizeof mean, "%.17g", s.mean);
    EXPECT_NE(batch.find(mean), std::string::npos);
}

TEST(ExportCsv, ANormThatDoesNotApplyGivesItsError) {
    AppState state = make_state({1, 4, 1, 1}, {core::NormKind::Batch, core::NormKind::Layer});
    const std::string csv = stats_to_csv(state);
    // The panel still shows the partition's numbers, with the error beside them.
    EXPECT_NE(csv.find("\"BatchNorm needs more than one value per channel"), std::string::npos) << csv;
    EXPECT_EQ(count(csv, "\n"), 3u);
}

TEST(ExportSvg, OneRectPerCellAndTheGroupOutlined) {
    AppState state = make_state({2, 3, 2, 2}, {core::NormKind::Batch, core::NormKind::Layer});
    auto svg = view_to_svg(state);
    ASSERT_TRUE(svg) << svg.error().message;
    const std::string& s = svg.value();
    EXPECT_EQ(s.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
    EXPECT_NE(s.find("</svg>"), std::string::npos);
    // background + 24 cells per panel + outlines: batch group 8 cells, layer group 12 cells.
    EXPECT_EQ(count(s, "<rect"), 1u + 2 * 24 + 8 + 12);
    EXPECT_EQ(count(s, "<circle"), 2u);  // the focus ring, once per panel
    EXPECT_NE(s.find(">BatchNorm"), std::string::npos);
    EXPECT_NE(s.find(">n=1<"), std::string::npos);
    EXPECT_NE(s.find(">c=2<"), std::string::npos);
}

TEST(ExportSvg, RefusesHugeTensorsWithAReason) {
    AppState state = make_state({4, 16, 32, 32}, {core::NormKind::Batch});
    auto svg = view_to_svg(state);
    ASSERT_FALSE(svg);
    EXPECT_NE(svg.error().message.find("PNG"), std::string::npos);
    SvgOptions big;
    big.max_cells = 1 << 20;
    EXPECT_TRUE(view_to_svg(state, big));
}

// Each panel's <g transform="translate(x y)">, in order.
std::vector<std::pair<float, float>> panel_origins(const std::string& svg) {
    std::vector<std::pair<float, float>> out;
    const std::string key = "transform=\"translate(";
    for (size_t at = svg.find(key); at != std::string::npos; at = svg.find(key, at + 1)) {
        float x = 0, y = 0;
        std::istringstream(svg.substr(at + key.size(), 40)) >> x >> y;
        out.push_back({x, y});
    }
    return out;
}

// The SVG arranges its panels in the columns the window's grid view drew (3 x 2 for six norms
// here), not one tall column; without a window, the columns that fit a 16:9 slide best.
TEST(ExportSvg, PanelsInTheWindowsColumns) {
    AppState state = make_state({2, 3, 2, 2}, {core::NormKind::Batch, core::NormKind::Layer, core::NormKind::Instance,
                                               core::NormKind::Group, core::NormKind::LayerToken, core::NormKind::Rms});
    state.scene.groups = 1;
    update_derived(state);
    ASSERT_EQ(state.panels.size(), 6u);
    state.classroom.panel_columns = 3;
    auto svg = view_to_svg(state);
    ASSERT_TRUE(svg) << svg.error().message;
    auto o = panel_origins(svg.value());
    ASSERT_EQ(o.size(), 6u);
    const float w = o[1].first, h = o[3].second;
    ASSERT_GT(w, 0);
    ASSERT_GT(h, 0);
    for (size_t i = 0; i < 6; ++i) {
        EXPECT_NEAR(o[i].first, (i % 3) * w, 0.01) << i;
        EXPECT_NEAR(o[i].second, (i / 3) * h, 0.01) << i;
    }
    float total_w = 0, total_h = 0;  // the document: three panels wide, two high
    std::istringstream(svg.value().substr(svg.value().find("width=\"") + 7)) >> total_w;
    std::istringstream(svg.value().substr(svg.value().find("height=\"") + 8)) >> total_h;
    EXPECT_NEAR(total_w, 3 * w, 0.01 * w);
    EXPECT_NEAR(total_h, 2 * h, 0.01 * h);

    state.classroom.panel_columns = 2;  // a narrower window: 2 x 3
    o = panel_origins(view_to_svg(state).value());
    EXPECT_NEAR(o[2].first, 0, 0.01);
    EXPECT_NEAR(o[2].second, h, 0.01);
    EXPECT_NEAR(o[5].first, w, 0.01);

    // No window: the grid whose panels come out largest on a 16:9 page.
    state.classroom.panel_columns = 0;
    int cols = 0, rows = 0;
    svg_panel_grid(6, w, h, cols, rows);
    EXPECT_GE(cols, 2) << "not one tall column";
    EXPECT_TRUE(cols * rows >= 6 && (cols - 1) * rows < 6) << cols << " x " << rows;
    o = panel_origins(view_to_svg(state).value());
    EXPECT_NEAR(o[1].first, cols > 1 ? w : 0, 0.01);
    svg_panel_grid(1, w, h, cols, rows);
    EXPECT_EQ(cols * rows, 1);
}

// The cube view is not drawn as the grid: the SVG export refuses in one sentence.
TEST(ExportSvg, RefusesTheCubeViewInOneSentence) {
    AppState state = make_state({2, 3, 2, 2}, {core::NormKind::Batch});
    state.cube_view = true;
    auto svg = view_to_svg(state);
    ASSERT_FALSE(svg);
    const std::string& m = svg.error().message;
    EXPECT_NE(m.find("cube"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_EQ(m.find(". "), std::string::npos) << "one sentence: " << m;
}

// During an unrevealed quiz the SVG has no group outlines and no "pools" in its title.
TEST(ExportSvg, AQuizKeepsItsAnswer) {
    AppState state = make_state({2, 3, 2, 2}, {core::NormKind::Batch});
    start_quiz(state);
    update_derived(state);
    auto svg = view_to_svg(state);
    ASSERT_TRUE(svg);
    EXPECT_EQ(svg.value().find("pools"), std::string::npos);
    EXPECT_EQ(count(svg.value(), "<rect"), 1u + 24);  // background and cells, no outlines
    reveal_quiz(state);
    EXPECT_NE(view_to_svg(state).value().find("pools"), std::string::npos);
}

// With a lesson shown, the CSV ends with the step's table: its headline and every row,
// as the lessons strip shows them.
TEST(ExportCsv, TheLessonStepsTableFollows) {
    AppState state;
    go_to_lesson_step(state, 0, 0);
    ASSERT_NE(current_lesson(state), nullptr);
    update_derived(state);
    const ClaimResult claim = current_claim(state);
    ASSERT_TRUE(claim.error.empty()) << claim.error;
    ASSERT_FALSE(claim.rows.empty());
    const std::string csv = stats_to_csv(state);
    const size_t table = csv.find("\nlesson,step,label,value\n");
    ASSERT_NE(table, std::string::npos) << csv;
    const std::string where = current_lesson(state)->id + ",1,";
    EXPECT_NE(csv.find(where + "headline,", table), std::string::npos) << csv;
    for (const ClaimRow& row : claim.rows) {
        const std::string label = row.label.find_first_of(",\"") == std::string::npos ? row.label : "\"";
        EXPECT_NE(csv.find(where + label, table), std::string::npos) << row.label;
    }
    EXPECT_EQ(count(csv.substr(table), "\n" + where), claim.rows.size() + 1);
    close_lesson(state);
    EXPECT_EQ(stats_to_csv(state).find("lesson,step"), std::string::npos);
}

// Slide text: a 3840 x 2160 picture gets twice the window's size; 1080p and below keep it.
TEST(ExportFont, TextScalesWithThePictureBeyond1080p) {
    EXPECT_FLOAT_EQ(slide_font_size(16, 3840, 2160), 32);
    EXPECT_FLOAT_EQ(slide_font_size(16, 1920, 1080), 16);
    EXPECT_FLOAT_EQ(slide_font_size(16, 960, 540), 16);
    EXPECT_FLOAT_EQ(slide_font_size(16, 3840, 1080), 16);  // the smaller ratio: text fits both ways
    EXPECT_FLOAT_EQ(slide_font_size(28, 3840, 2160), 48);  // presenter text, capped
}

TEST(ExportFiles, WriteTextFileReportsThePath) {
    auto ok = write_text_file(std::string(NORMVIZ_TEST_TMP_DIR) + "/nope/x.csv", "x");
    ASSERT_FALSE(ok);
    EXPECT_NE(ok.error().message.find("x.csv"), std::string::npos);
}

}  // namespace
}  // namespace normviz::app
