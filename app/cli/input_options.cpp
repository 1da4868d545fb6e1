// Reading the subcommands' input: layouts, archives, integer policy, checkpoint buffers.
#include "app/cli/input_options.h"

#include "core/array_file.h"

namespace normviz::app::cli {

std::vector<OptionSpec> with_norm_options(std::span<const OptionSpec> extra) {
    std::vector<OptionSpec> options(std::begin(kNormOptions), std::end(kNormOptions));
    options.insert(options.end(), extra.begin(), extra.end());
    return options;
}

std::vector<OptionSpec> reading_options(std::span<const OptionSpec> extra) {
    std::vector<OptionSpec> options = with_norm_options(kInputOptions);
    options.push_back(kRunningOption);
    options.insert(options.end(), extra.begin(), extra.end());
    return options;
}

core::Result<core::NormSpec> check_reading_options(const Arguments& args) {
    core::Result<core::NormSpec> spec = parse_norm_options(args);
    if (!spec) return spec.error();
    if (core::Status running = check_running_usage(args, spec.value()); !running) return running.error();
    if (core::Result<std::optional<core::Layout>> layout = parse_layout_option(args); !layout) return layout.error();
    return spec;
}

core::Result<std::optional<core::Layout>> parse_layout_option(const Arguments& args) {
    const std::optional<std::string> text = args.value("--layout");
    if (!text) return std::optional<core::Layout>{};
    core::Result<core::Layout> layout = core::parse_layout(*text);
    if (!layout) return core::make_error("invalid --layout: " + layout.error().message);
    return std::optional<core::Layout>{layout.value()};
}

core::Result<core::Tensor> read_input(const Arguments& args, const std::string& source) {
    core::Result<std::optional<core::Layout>> layout = parse_layout_option(args);
    if (!layout) return layout.error();
    const core::IntegerPolicy integers =
        args.has("--convert-int") ? core::IntegerPolicy::Convert : core::IntegerPolicy::Refuse;
    return core::read_tensor(source, layout.value(), integers);
}

core::Status check_running_usage(const Arguments& args, const core::NormSpec& spec) {
    if (args.has("--running") && spec.kind != core::NormKind::Batch)
        return core::make_error(
            "--running gives BatchNorm's eval-mode statistics; use it with "
            "--norm batch");
    return core::Ok{};
}

core::Result<std::optional<core::BatchNormBuffers>> read_running_option(const Arguments& args, int64_t channels) {
    const std::optional<std::string> source = args.value("--running");
    if (!source) return std::optional<core::BatchNormBuffers>{};
    core::Result<core::BatchNormBuffers> buffers = core::read_batchnorm_buffers(*source);
    if (!buffers) return buffers.error();
    if (core::Status fit = core::check_buffers_fit(buffers.value(), channels); !fit) return fit.error();
    return std::optional<core::BatchNormBuffers>{std::move(buffers.value())};
}

std::string input_options_help() {
    return "Input options:\n"
           "  --layout L     how IN's axes are ordered: NCHW (default for rank 4), NHWC\n"
           "                 (channels-last), NCL (default for rank 3), NLC (a transformer's\n"
           "                 (batch, tokens, features)) or NC (rank 2). C is always the\n"
           "                 channels/features: in NLC, --norm layer-token is nn.LayerNorm(D)\n"
           "  --convert-int  accept integer input, converting its values to float32\n"
           "  IN is a .npy file (float16, float32 or float64), or one array of an archive:\n"
           "  x.npz:NAME (np.savez, np.savez_compressed) or x.safetensors:NAME; an archive\n"
           "  with one array needs no NAME. torch.save files are refused: np.save them.\n";
}

}  // namespace normviz::app::cli
