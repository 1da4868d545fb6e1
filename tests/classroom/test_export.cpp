// SVG and CSV exports as pure functions of AppState.
#include <gtest/gtest.h>

#include <sstream>

#include "app/export.h"

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

TEST(ExportFiles, WriteTextFileReportsThePath) {
    auto ok = write_text_file(std::string(NORMVIZ_TEST_TMP_DIR) + "/nope/x.csv", "x");
    ASSERT_FALSE(ok);
    EXPECT_NE(ok.error().message.find("x.csv"), std::string::npos);
}

}  // namespace
}  // namespace normviz::app
