// The controls sidebar: data (shape, generator, seed, .npy), norms, G, eps, custom axes,
// raw or normalized values.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/ui/panels.h"

namespace normviz::app {

namespace {

// A titled section (ImGui 1.86 has no SeparatorText).
void section(const char* title) {
    ImGui::Spacing();
    ImGui::TextDisabled("%s", title);
    ImGui::Separator();
}

// NoNavInputs: Tab is a shortcut here, and ImGui 1.86 would also use it to move focus into
// the sidebar's first text field.
constexpr ImGuiWindowFlags kSidebarFlags = ImGuiWindowFlags_NoNavInputs | ImGuiWindowFlags_NoMove |
                                           ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                           ImGuiWindowFlags_NoSavedSettings;

// One extent: a slider for small values and a typed field for any value.
bool extent_input(const char* label, int64_t& value) {
    bool changed = false;
    int v = static_cast<int>(std::min<int64_t>(value, 64));
    ImGui::PushID(label);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    // Past its end the slider says so ("64+"); the typed field beside it holds the value.
    if (ImGui::SliderInt("##slider", &v, 1, 64, value > 64 ? "64+" : "%d", ImGuiSliderFlags_AlwaysClamp)) {
        value = v;
        changed = true;
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("W").x - 8);
    long long typed = value;
    if (ImGui::InputScalar("##typed", ImGuiDataType_S64, &typed, nullptr, nullptr, "%lld",
                           ImGuiInputTextFlags_EnterReturnsTrue) &&
        typed >= 1) {
        value = typed;
        changed = true;
    }
    ImGui::SameLine();
    ImGui::TextUnformatted(label);
    ImGui::PopID();
    return changed;
}

// An archive opened without a member name: its arrays, one click each.
void draw_archive_members(AppState& state) {
    if (state.archive_entries.empty()) return;
    ImGui::TextUnformatted("Pick an array:");
    for (const core::ArrayEntry& e : state.archive_entries) {
        std::string dims;
        for (size_t i = 0; i < e.dims.size(); ++i) dims += (i ? ", " : "") + std::to_string(e.dims[i]);
        const std::string label = e.name + "  (" + dims + ") " + e.dtype + "##member_" + e.name;
        if (ImGui::Selectable(label.c_str(), false)) {
            const std::string source = state.archive_path + ":" + e.name;
            request_load(state, source);
            break;  // request_load may clear the list
        }
    }
}

// How the loaded file was read, and one click to read it in another layout of its rank.
void draw_layout_choice(AppState& state) {
    const std::string reading = reading_text(state);
    if (reading.empty()) return;
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(reading.c_str());
    ImGui::PopTextWrapPos();
    const int rank = core::layout_rank(state.tensor.layout);
    ImGui::TextDisabled("layout:");
    for (core::Layout l : core::kAllLayouts) {
        if (core::layout_rank(l) != rank) continue;
        ImGui::SameLine();
        const std::string label = std::string(core::layout_name(l)) + "##layout_" + core::layout_name(l);
        if (ImGui::RadioButton(label.c_str(), state.tensor.layout == l) && state.tensor.layout != l)
            reload_with_layout(state, l);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("read the file's axes as %s", core::layout_axes(l).c_str());
    }
}

// BatchNorm's eval mode, and the checkpoint statistics a loaded tensor needs for it.
void draw_running_stats(AppState& state) {
    section("BatchNorm running statistics");
    ImGui::Checkbox("Eval mode (running statistics)##bn_eval", &state.scene.batchnorm_eval);
    if (state.scene.data_path.empty()) {
        ImGui::TextDisabled("generated tensor: simulated from its generator");
        return;
    }
    if (state.running)
        ImGui::TextWrapped("%s, %zu channels", state.running->prefix.c_str(), state.running->running_mean.size());
    char buf[1024];
    std::snprintf(buf, sizeof buf, "%s", state.running_input.c_str());
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("Load").x - 20);
    const bool enter = ImGui::InputTextWithHint("##running_path", "model.safetensors:layer1.0.bn1", buf, sizeof buf,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
    state.running_input = buf;
    ImGui::SameLine();
    if ((ImGui::Button("Load##load_running") || enter) && !state.running_input.empty() &&
        load_running_stats(state, expand_home(state.running_input)))
        state.scene.batchnorm_eval = true;
}

// Edit one sample of the batch (not the focus's, which is pinned) and watch BatchNorm move
// while the norms inside one sample keep their numbers.
void draw_batch_editor(AppState& state) {
    BatchEditor& b = state.batch_editor;
    const int64_t N = state.tensor.shape.N, pinned = state.scene.focus.n;
    section("Batch: edit a sample (the focus's is pinned)");
    if (N < 2) {
        ImGui::TextDisabled("a batch of 1: no other sample to edit");
        for (int i = 0; i < 5; ++i) b.button_x[i] = b.button_y[i] = -1;
        return;
    }
    if (b.sample < 0 || b.sample >= N || b.sample == pinned) b.sample = pinned == 0 ? 1 : 0;
    const std::string current = "sample n=" + std::to_string(b.sample);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.6f);
    if (ImGui::BeginCombo("##batch_sample", current.c_str())) {
        for (int64_t n = 0; n < N && n < 4096; ++n) {
            if (n == pinned) continue;
            const std::string label = "sample n=" + std::to_string(n);
            if (ImGui::Selectable(label.c_str(), n == b.sample)) b.sample = n;
        }
        ImGui::EndCombo();
    }
    const struct {
        core::SampleEdit edit;
        const char* label;
        const char* tip;
    } buttons[] = {
        {core::SampleEdit::Remove, "Remove##edit_remove", "the batch loses this sample"},
        {core::SampleEdit::SwapNext, "Swap next##edit_swap", "this sample and the next trade places"},
        {core::SampleEdit::Outlier, "Outlier##edit_outlier", "this sample's values times 8"},
        {core::SampleEdit::Padded, "Padded##edit_padded", "the second half of W set to 0, as padding"},
        {core::SampleEdit::Shifted, "Other domain##edit_shift", "this sample's values plus 2"},
    };
    const bool busy = state.work->busy();
    for (int i = 0; i < 5; ++i) {
        if (i != 0 && i != 3) ImGui::SameLine();
        const bool pressed = ImGui::Button(buttons[i].label);
        b.button_x[i] = 0.5f * (ImGui::GetItemRectMin().x + ImGui::GetItemRectMax().x);
        b.button_y[i] = 0.5f * (ImGui::GetItemRectMin().y + ImGui::GetItemRectMax().y);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", buttons[i].tip);
        if (pressed && !busy) apply_sample_edit(state, b.sample, buttons[i].edit);
    }
    if (!b.edits.empty()) {
        std::string list;
        for (const std::string& e : b.edits) list += (list.empty() ? "" : ", ") + e;
        ImGui::PushTextWrapPos(0);
        ImGui::TextDisabled("edited: %s (New or a new shape starts over)", list.c_str());
        ImGui::PopTextWrapPos();
    }
}

void draw_data_section(AppState& state) {
    Scene& scene = state.scene;
    section("Tensor (N, C, H, W)");
    core::Shape shape = scene.shape;
    bool shape_changed = extent_input("N", shape.N);
    shape_changed |= extent_input("C", shape.C);
    shape_changed |= extent_input("H", shape.H);
    shape_changed |= extent_input("W", shape.W);
    if (shape_changed) {
        if (auto ok = core::validate_shape(shape); !ok) {
            set_message(state, ok.error().message, true);
        } else {
            scene.shape = shape;
            request_regenerate(state);
        }
    }
    int gen = static_cast<int>(scene.generator);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.6f);
    if (ImGui::BeginCombo("Data##generator",
                          scene.data_path.empty() ? core::generator_name(scene.generator) : "loaded file")) {
        for (core::Generator g : core::kAllGenerators)
            if (ImGui::Selectable(core::generator_name(g), gen == static_cast<int>(g) && scene.data_path.empty())) {
                scene.generator = g;
                request_regenerate(state);
            }
        ImGui::EndCombo();
    }
    long long seed = static_cast<long long>(scene.seed);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.6f);
    if (ImGui::InputScalar("Seed##seed", ImGuiDataType_S64, &seed, nullptr, nullptr, "%lld",
                           ImGuiInputTextFlags_EnterReturnsTrue)) {
        scene.seed = static_cast<uint64_t>(seed);
        request_regenerate(state);
    }
    ImGui::SameLine();
    if (ImGui::Button("New##reseed")) {
        ++scene.seed;
        request_regenerate(state);
    }
    draw_batch_editor(state);

    section("Load array (.npy, .npz, .safetensors)");
    // The field shows the file the tensor came from (a scene, --input, a drop), until edited.
    if (state.scene.data_path != state.path_input_for) {
        state.path_input = state.path_input_for = state.scene.data_path;
    }
    char buf[1024];
    std::snprintf(buf, sizeof buf, "%s", state.path_input.c_str());
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("Load").x - 20);
    bool enter = ImGui::InputTextWithHint("##npy_path", "path/to/activations.npy", buf, sizeof buf,
                                          ImGuiInputTextFlags_EnterReturnsTrue);
    state.path_field_x = 0.5f * (ImGui::GetItemRectMin().x + ImGui::GetItemRectMax().x);
    state.path_field_y = 0.5f * (ImGui::GetItemRectMin().y + ImGui::GetItemRectMax().y);
    state.path_field_visible = ImGui::IsItemVisible();
    state.path_input = buf;
    ImGui::SameLine();
    if ((ImGui::Button("Load##load_npy") || enter) && !state.path_input.empty()) request_load(state, state.path_input);
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("or File > Open... (Ctrl+O), or drop a file on the window; x.npz:NAME picks one array");
    ImGui::PopTextWrapPos();
    draw_archive_members(state);
    draw_layout_choice(state);
    draw_running_stats(state);
}

void draw_norm_section(AppState& state) {
    Scene& scene = state.scene;
    section("Norms");
    if (ImGui::RadioButton("Compare##view_compare", !scene.single_view)) scene.single_view = false;
    ImGui::SameLine();
    if (ImGui::RadioButton("Single##view_single", scene.single_view)) scene.single_view = true;
    for (core::NormKind k : core::kAllNormKinds) {
        ImGui::PushID(static_cast<int>(k));
        if (scene.single_view) {
            if (ImGui::RadioButton(core::norm_title(k), scene.single_norm == k)) scene.single_norm = k;
        } else {
            auto it = std::find(scene.compared.begin(), scene.compared.end(), k);
            bool on = it != scene.compared.end();
            if (ImGui::Checkbox(core::norm_title(k), &on)) {
                if (on) {
                    scene.compared.push_back(k);
                    std::sort(scene.compared.begin(), scene.compared.end());
                } else if (scene.compared.size() > 1) {
                    scene.compared.erase(it);
                }
            }
        }
        ImGui::PopID();
    }

    // G: only divisors of C are offered.
    std::string g_label = std::to_string(scene.groups);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    if (ImGui::BeginCombo("G (GroupNorm)##groups", g_label.c_str())) {
        for (int64_t g = 1; g <= scene.shape.C; ++g)
            if (scene.shape.C % g == 0 && ImGui::Selectable(std::to_string(g).c_str(), g == scene.groups))
                scene.groups = g;
        ImGui::EndCombo();
    }
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    double eps = scene.eps;
    if (ImGui::InputDouble("eps##eps", &eps, 0, 0, "%.1e", ImGuiInputTextFlags_EnterReturnsTrue)) {
        if (eps >= 0 && std::isfinite(eps)) scene.eps = eps;
        else set_message(state, "eps must be a finite number >= 0", true);
    }

    section("Custom axes");
    for (int a = 0; a < core::kAxisCount; ++a) {
        const char label[] = {core::kAxisLetters[a], '\0'};
        bool on = scene.custom_axes & (1u << a);
        ImGui::PushID(a);
        if (ImGui::Checkbox(label, &on)) {
            core::AxisMask next = on ? (scene.custom_axes | (1u << a)) : (scene.custom_axes & ~(1u << a));
            if (next != 0) scene.custom_axes = static_cast<core::AxisMask>(next);
            else set_message(state, "a custom norm needs at least one reduced axis", true);
        }
        ImGui::PopID();
        if (a < 3) ImGui::SameLine();
    }
    ImGui::Checkbox("subtract the mean (centering)##center", &scene.custom_center);
    auto preset = core::matching_preset(scene.custom_axes, scene.custom_center);
    if (preset)
        ImGui::TextWrapped("Pooling %s%s is %s.", core::axes_to_string(scene.custom_axes).c_str(),
                           scene.custom_center ? "" : " without centering", core::norm_title(*preset));
    else
        ImGui::TextWrapped("Pooling %s%s has no preset name.", core::axes_to_string(scene.custom_axes).c_str(),
                           scene.custom_center ? "" : " without centering");
}

}  // namespace

void draw_controls_panel(AppState& state, const FrameLayout& frame) {
    state.path_field_visible = false;  // set again below when the field is drawn
    if (!state.show_controls) return;
    ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(0, frame.menu_height));
    ImGui::SetNextWindowSize(ImVec2(frame.left, io.DisplaySize.y - frame.menu_height));
    ImGui::Begin("Controls##controls", nullptr, kSidebarFlags);
    // While a large tensor is being made, nothing may start another.
    const bool busy = state.work->busy();
    if (busy) ImGui::BeginDisabled();
    draw_data_section(state);
    if (busy) ImGui::EndDisabled();
    draw_norm_section(state);
    section("Show");
    if (ImGui::RadioButton("raw x##show_raw", !state.scene.show_normalized)) state.scene.show_normalized = false;
    ImGui::SameLine();
    if (ImGui::RadioButton("normalized##show_norm", state.scene.show_normalized)) state.scene.show_normalized = true;
    bool safe = state.scene.palette == Palette::BlueOrange;
    if (ImGui::Checkbox("colour-blind safe palette##palette", &safe))
        state.scene.palette = safe ? Palette::BlueOrange : Palette::BlueRed;
    if (!state.message.empty()) {
        ImGui::Separator();
        ImGui::PushTextWrapPos(0);
        if (state.message_is_error) ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.45f, 1.0f), "%s", state.message.c_str());
        else ImGui::TextDisabled("%s", state.message.c_str());
        ImGui::PopTextWrapPos();
    }
    ImGui::End();
}

}  // namespace normviz::app
