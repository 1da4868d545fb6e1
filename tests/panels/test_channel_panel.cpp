// The Channels window: its summary computed once per tensor (not per frame), the table drawn
// for a tensor with NaN, F4 and the View menu's toggle, header clicks that sort and row clicks
// that move the focus to a channel (mouse input through ImGui's io, as the GLFW backend feeds it).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "headless_imgui.h"

namespace {

using normviz::app::AppState;
using normviz::core::ChannelColumn;
using normviz::test::HeadlessImGui;
using normviz::test::make_state;

// The state's tensor with channel 1 all NaN, two NaN and one Inf in channel 4 (C = 6).
AppState state_with_nan() {
    AppState state = make_state();  // (4, 6, 4, 4)
    normviz::core::Tensor t = state.tensor;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (int64_t n = 0; n < 4; ++n)
        for (int64_t h = 0; h < 4; ++h)
            for (int64_t w = 0; w < 4; ++w) t.at({n, 1, h, w}) = nan;
    t.at({0, 4, 0, 0}) = nan;
    t.at({1, 4, 2, 3}) = nan;
    t.at({3, 4, 1, 1}) = std::numeric_limits<float>::infinity();
    normviz::app::set_tensor(state, std::move(t));
    normviz::app::update_derived(state);
    return state;
}

// Where the table's header row and data rows are on screen after a frame: the table's work
// rectangle starts with the header, and every row is one text line plus cell padding high.
struct TableGeometry {
    ImGuiTable* table = nullptr;
    float top = 0, row_height = 0;
    float row_y(int row) const { return top + row_height * (static_cast<float>(row) + 1.5f); }
    float header_y() const { return top + row_height * 0.5f; }
    float column_x(int column) const {
        const ImGuiTableColumn& c = table->Columns[column];
        return 0.5f * (c.MinX + c.MaxX);
    }
};

TableGeometry channel_table() {
    TableGeometry g;
    ImGuiWindow* window = ImGui::FindWindowByName("Channels##channels");
    if (!window) return g;
    g.table = ImGui::TableFindByID(window->GetID("##channel_table"));
    if (!g.table) return g;
    g.top = g.table->WorkRect.Min.y;
    g.row_height = ImGui::GetTextLineHeight() + 2 * ImGui::GetStyle().CellPadding.y;
    return g;
}

// A left click at (x, y): the mouse moves there, goes down in one frame and up in the next
// (Selectable and table headers act on release), then one idle frame.
void click(HeadlessImGui& ui, AppState& state, float x, float y) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(x, y);
    ui.app_frame(state);
    io.MouseDown[0] = true;
    ui.app_frame(state);
    io.MouseDown[0] = false;
    ui.app_frame(state);
    ui.app_frame(state);
}

TEST(ChannelPanel, DrawsTheTableForATensorWithNan) {
    HeadlessImGui ui;
    AppState state = state_with_nan();
    state.channels.show = true;
    ui.app_frame(state);
    const std::string text = ui.app_frame_text(state);
    EXPECT_NE(text.find("C = 6 channels, each over N\u00b7H\u00b7W = 64 values"), std::string::npos) << text;
    EXPECT_NE(text.find("2 channels hold NaN or Inf"), std::string::npos) << text;
    for (const char* header : {"mean", "std", "min", "max", "zeros %", "NaN", "Inf"})
        EXPECT_NE(text.find(header), std::string::npos) << header;
    EXPECT_NE(text.find("64"), std::string::npos);  // channel 1's NaN count
    EXPECT_EQ(text.find("nan"), std::string::npos) << "a bare nan on screen:\n" << text;
    ASSERT_EQ(state.channels.summary.size(), 6u);
    EXPECT_EQ(state.channels.summary[1].nan_count, 64);
    EXPECT_EQ(state.channels.summary[4].nan_count, 2);
    EXPECT_EQ(state.channels.summary[4].inf_count, 1);
}

TEST(ChannelPanel, SummaryIsComputedOncePerTensorAndOnlyWhenShown) {
    HeadlessImGui ui;
    AppState state = make_state();
    ui.app_frame(state);
    EXPECT_TRUE(state.channels.summary.empty());  // hidden: nothing computed
    state.channels.show = true;
    ui.app_frame(state);
    ASSERT_EQ(state.channels.summary_version, state.tensor_version);
    // A mark in the cache survives frames: it is not recomputed per frame...
    state.channels.summary[0].mean = 12345;
    for (int i = 0; i < 3; ++i) ui.app_frame(state);
    EXPECT_EQ(state.channels.summary[0].mean, 12345);
    // ...but a new tensor replaces it.
    ++state.scene.seed;
    normviz::app::regenerate_tensor(state);
    ui.app_frame(state);
    EXPECT_EQ(state.channels.summary_version, state.tensor_version);
    EXPECT_NE(state.channels.summary[0].mean, 12345);
    EXPECT_NEAR(state.channels.summary[0].mean, normviz::core::summarize_channels(state.tensor)[0].mean, 0);
}

TEST(ChannelPanel, LargeTensorOnTheWorkerBringsItsSummary) {
    AppState state = make_state();
    state.scene.shape = {4, 64, 64, 80};  // above the synchronous limit
    normviz::app::request_regenerate(state);
    state.work->wait();
    normviz::app::install_finished_work(state);
    ASSERT_EQ(state.tensor.shape, state.scene.shape);
    EXPECT_EQ(state.channels.summary_version, state.tensor_version);
    ASSERT_EQ(state.channels.summary.size(), 64u);
    const auto expected = normviz::core::summarize_channels(state.tensor);
    EXPECT_EQ(state.channels.summary[63].std, expected[63].std);
}

TEST(ChannelPanel, F4AndTheViewMenuToggleIt) {
    HeadlessImGui ui;
    AppState state = make_state();
    ui.press(state, GLFW_KEY_F4);
    EXPECT_TRUE(state.channels.show);
    EXPECT_EQ(state.channels.summary_version, state.tensor_version);
    ui.press(state, GLFW_KEY_F4);
    EXPECT_FALSE(state.channels.show);
    state.show_help = true;
    const std::string text = ui.app_frame_text(state);
    EXPECT_NE(text.find("F4"), std::string::npos) << text;
    EXPECT_NE(text.find("Ctrl + O"), std::string::npos) << text;
}

TEST(ChannelPanel, RowClickMovesTheFocusToThatChannel) {
    HeadlessImGui ui;
    AppState state = state_with_nan();
    state.channels.show = true;
    ui.app_frame(state);
    ui.app_frame(state);
    const TableGeometry g = channel_table();
    ASSERT_NE(g.table, nullptr);
    ASSERT_EQ(state.scene.focus.c, 2);
    click(ui, state, g.column_x(1), g.row_y(3));  // rows in channel order: row 3 is c = 3
    EXPECT_EQ(state.scene.focus.c, 3);
    EXPECT_EQ(state.scene.focus.n, 1);  // only the channel moves
    EXPECT_EQ(state.derived_focus, state.scene.focus);
    click(ui, state, g.column_x(6), g.row_y(5));
    EXPECT_EQ(state.scene.focus.c, 5);
}

TEST(ChannelPanel, HeaderClickSortsAndRowsFollowTheOrder) {
    HeadlessImGui ui;
    AppState state = state_with_nan();
    state.channels.show = true;
    ui.app_frame(state);
    ui.app_frame(state);
    TableGeometry g = channel_table();
    ASSERT_NE(g.table, nullptr);
    click(ui, state, g.column_x(6), g.header_y());  // NaN, ascending: channels 1 and 4 last
    EXPECT_EQ(state.channels.sort_column, ChannelColumn::Nan);
    EXPECT_FALSE(state.channels.sort_descending);
    click(ui, state, g.column_x(6), g.header_y());  // again: descending
    EXPECT_TRUE(state.channels.sort_descending);
    ASSERT_EQ(state.channels.order.size(), 6u);
    EXPECT_EQ(state.channels.order[0], 1);  // 64 NaN
    EXPECT_EQ(state.channels.order[1], 4);  // 2 NaN
    click(ui, state, g.column_x(0), g.row_y(0));
    EXPECT_EQ(state.scene.focus.c, 1);
    // Sorting by mean puts the all-NaN channel (no mean) last, whichever the direction.
    click(ui, state, g.column_x(1), g.header_y());
    EXPECT_EQ(state.channels.sort_column, ChannelColumn::Mean);
    EXPECT_EQ(state.channels.order.back(), 1);
    click(ui, state, g.column_x(1), g.header_y());
    EXPECT_TRUE(state.channels.sort_descending);
    EXPECT_EQ(state.channels.order.back(), 1);
}

TEST(ChannelPanel, AnAllNanChannelShowsDashesNotNan) {
    HeadlessImGui ui;
    AppState state = state_with_nan();
    state.channels.show = true;
    state.channels.sort_column = ChannelColumn::Nan;  // the first sort is AppState's
    state.channels.sort_descending = true;
    ui.app_frame(state);
    ASSERT_FALSE(state.channels.order.empty());
    EXPECT_EQ(state.channels.order[0], 1);
    EXPECT_TRUE(std::isnan(state.channels.summary[1].mean));
    const std::string text = ui.app_frame_text(state);
    EXPECT_EQ(text.find("nan"), std::string::npos) << text;
    EXPECT_NE(text.find("-"), std::string::npos);
}

}  // namespace
