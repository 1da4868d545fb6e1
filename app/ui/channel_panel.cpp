// The Channels window (F4): one sortable row per channel with mean, std, min, max, zeros,
// NaN and Inf over N, H and W (core/channel_summary.h); a click on a row focuses that channel.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <string>

#include "app/ui/panels.h"

namespace normviz::app {

namespace {

const ImVec4 kBad(1.0f, 0.5f, 0.45f, 1.0f);  // the colour of error text elsewhere

struct Column {
    const char* name;
    core::ChannelColumn id;
    const char* tooltip;
};

constexpr Column kColumns[] = {
    {"c", core::ChannelColumn::Channel, "channel index"},
    {"mean", core::ChannelColumn::Mean, "mean of the channel's finite values"},
    {"std", core::ChannelColumn::Std, "standard deviation (biased, as BatchNorm's) of the finite values"},
    {"min", core::ChannelColumn::Min, "smallest finite value"},
    {"max", core::ChannelColumn::Max, "largest finite value"},
    {"zeros %", core::ChannelColumn::Zeros, "share of values exactly 0 (dead ReLU units, padding)"},
    {"NaN", core::ChannelColumn::Nan, "how many values are NaN"},
    {"Inf", core::ChannelColumn::Inf, "how many values are +Inf or -Inf"},
};

// A mean, std, min or max; NaN only when the channel has no finite value, shown as a dash.
void number_cell(double v) {
    if (v != v) {
        ImGui::TextDisabled("-");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("no finite value in this channel");
        return;
    }
    ImGui::Text("%.5g", v);
}

void zeros_cell(double fraction) {
    if (fraction == 0) ImGui::TextDisabled("0");
    else if (fraction < 0.0005) ImGui::TextUnformatted("<0.1");
    else ImGui::Text("%.1f", fraction * 100);
}

void count_cell(int64_t count) {
    if (count == 0) ImGui::TextDisabled("0");
    else ImGui::TextColored(kBad, "%lld", static_cast<long long>(count));
}

// The table's sort order, from ImGui's sort specs (a header click) into ChannelsWindow, and
// the rows sorted again when the order or the summary changed.
void update_order(ChannelsWindow& w) {
    if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsDirty) {
        if (specs->SpecsCount > 0) {
            w.sort_column = static_cast<core::ChannelColumn>(specs->Specs[0].ColumnUserID);
            w.sort_descending = specs->Specs[0].SortDirection == ImGuiSortDirection_Descending;
        }
        specs->SpecsDirty = false;
        w.order_version = ~uint64_t{0};
    }
    if (w.order_version != w.summary_version || w.order.size() != w.summary.size()) {
        w.order = core::sort_channels(w.summary, w.sort_column, w.sort_descending);
        w.order_version = w.summary_version;
    }
}

void draw_table(AppState& state) {
    ChannelsWindow& w = state.channels;
    constexpr ImGuiTableFlags kFlags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                       ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                       ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_Resizable;
    if (!ImGui::BeginTable("##channel_table", static_cast<int>(std::size(kColumns)), kFlags)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    for (const Column& col : kColumns) {
        ImGuiTableColumnFlags flags = ImGuiTableColumnFlags_None;
        if (col.id == w.sort_column) {  // the first sort is AppState's (ImGui keeps it after)
            flags |= ImGuiTableColumnFlags_DefaultSort;
            if (w.sort_descending) flags |= ImGuiTableColumnFlags_PreferSortDescending;
        }
        ImGui::TableSetupColumn(col.name, flags, 0, static_cast<ImGuiID>(col.id));
    }
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    for (int i = 0; i < static_cast<int>(std::size(kColumns)); ++i) {
        if (!ImGui::TableSetColumnIndex(i)) continue;
        ImGui::TableHeader(kColumns[i].name);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s; click to sort", kColumns[i].tooltip);
    }
    update_order(w);
    ImGuiListClipper clipper;  // thousands of channels: only the visible rows are drawn
    clipper.Begin(static_cast<int>(w.order.size()));
    while (clipper.Step()) {
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            const int64_t c = w.order[static_cast<size_t>(row)];
            const core::ChannelSummary& s = w.summary[static_cast<size_t>(c)];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::PushID(static_cast<int>(c));
            const std::string label = std::to_string(c);
            if (ImGui::Selectable(label.c_str(), state.scene.focus.c == c, ImGuiSelectableFlags_SpanAllColumns))
                state.scene.focus.c = c;
            ImGui::PopID();
            ImGui::TableNextColumn();
            number_cell(s.mean);
            ImGui::TableNextColumn();
            number_cell(s.std);
            ImGui::TableNextColumn();
            number_cell(s.min);
            ImGui::TableNextColumn();
            number_cell(s.max);
            ImGui::TableNextColumn();
            zeros_cell(s.zero_fraction);
            ImGui::TableNextColumn();
            count_cell(s.nan_count);
            ImGui::TableNextColumn();
            count_cell(s.inf_count);
        }
    }
    ImGui::EndTable();
}

}  // namespace

void draw_channel_panel(AppState& state) {
    ChannelsWindow& w = state.channels;
    if (!w.show) return;
    const ImGuiIO& io = ImGui::GetIO();
    const float font = ImGui::GetFontSize();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f), ImGuiCond_FirstUseEver,
                            ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(font * 36, font * 26), ImGuiCond_FirstUseEver);
    if (ImGui::Begin("Channels##channels", &w.show)) {
        const core::Shape& s = state.tensor.shape;
        ImGui::Text("C = %lld channels, each over N\u00b7H\u00b7W = %lld values", static_cast<long long>(s.C),
                    static_cast<long long>(s.N * s.H * s.W));
        if (w.summary_version != state.tensor_version) {
            ImGui::TextDisabled("summarizing the channels...");  // until update_channel_summary runs
        } else {
            int64_t bad = 0;
            for (const core::ChannelSummary& c : w.summary) bad += c.nan_count + c.inf_count > 0;
            ImGui::PushTextWrapPos(0);
            if (bad > 0)
                ImGui::TextColored(kBad, "%lld channel%s NaN or Inf: counted, and left out of mean, std, min, max",
                                   static_cast<long long>(bad), bad == 1 ? " holds" : "s hold");
            else ImGui::TextDisabled("no NaN or Inf; std is biased (divides by the count), as BatchNorm's");
            ImGui::TextDisabled("click a row to focus that channel; click a header to sort");
            ImGui::PopTextWrapPos();
            draw_table(state);
        }
    }
    ImGui::End();
}

}  // namespace normviz::app
