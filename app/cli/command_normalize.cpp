// normviz normalize: reads IN, normalizes it like PyTorch's training-mode forward (no affine),
// or eval-mode BatchNorm with a checkpoint's buffers, and writes OUT.npy in IN's layout,
// checking everything before the one atomic write.
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/arguments.h"
#include "app/cli/command.h"
#include "app/cli/input_options.h"
#include "core/array_file.h"
#include "core/running_stats.h"
#include "core/normalize.h"
#include "core/npy.h"

namespace normviz::app::cli {

namespace {

constexpr std::string_view kName = "normalize";

constexpr OptionSpec kNormalizeOptions[] = {{"--dtype", "T"}};

std::string help_text() {
    return "Usage: normviz normalize --norm NAME [--groups G] [--axes AXES] [--no-center]\n"
           "                         [--eps E] [--layout L] [--convert-int] [--dtype T]\n"
           "                         [--running FILE:PREFIX] IN OUT.npy\n"
           "\n"
           "Normalizes IN like PyTorch's training-mode forward without affine:\n"
           "y = (x - mean) / sqrt(var + eps), with each group's mean and biased variance\n"
           "(rms and --no-center: y = x / sqrt(mean(x^2) + eps)). Writes OUT.npy in IN's shape\n"
           "and layout. With --running, BatchNorm in eval mode: the checkpoint's running\n"
           "statistics and its weight and bias, as bn.eval()(x).\n"
           "\n" +
           norm_options_help() + "\n" + input_options_help() +
           "\n"
           "Other options:\n"
           "  --dtype T      float32, float64 or float16 (default: float64 for float64 input,\n"
           "                 else float32)\n"
           "  --running FILE:PREFIX  a BatchNorm layer's buffers: PREFIX.running_mean,\n"
           "                 PREFIX.running_var and, when present, PREFIX.weight and PREFIX.bias\n"
           "                 from a .safetensors or .npz file (needs --norm batch)\n"
           "  -h, --help     show this help\n"
           "\n"
           "Options may come before or after the paths; --opt=value works too. OUT must not be\n"
           "IN; it is written only when everything succeeded.\n"
           "\n"
           "Examples:\n"
           "  normviz normalize --layout NLC --norm layer-token hidden.npy ln.npy   # nn.LayerNorm(D)\n"
           "  normviz normalize --layout NHWC --norm batch acts.npy bn.npy\n"
           "  normviz normalize --norm group --groups 32 acts.npy gn.npy\n"
           "  normviz normalize --norm batch --running model.safetensors:layer1.0.bn1 acts.npy eval.npy\n";
}

}  // namespace

int run_normalize(int argc, char** argv) {
    if (print_help_if_asked(argc, argv, help_text())) return kExitOk;
    core::Result<Arguments> args = parse_arguments(argc, argv, 2, reading_options(kNormalizeOptions));
    if (!args) return report_usage_error(kName, args.error().message);
    core::Result<core::NormSpec> spec = check_reading_options(args.value());
    if (!spec) return report_usage_error(kName, spec.error().message);
    std::optional<core::NpyDtype> dtype;
    if (std::optional<std::string> text = args.value().value("--dtype")) {
        core::Result<core::NpyDtype> parsed = core::parse_npy_dtype(*text);
        if (!parsed) return report_usage_error(kName, "invalid --dtype: " + parsed.error().message);
        dtype = parsed.value();
    }

    const std::vector<std::string>& paths = args.value().positionals;
    if (paths.empty()) return report_usage_error(kName, "missing IN and OUT.npy");
    if (paths.size() == 1) {
        return report_usage_error(kName, "missing OUT.npy, the file to write after '" + paths[0] + "'");
    }
    if (paths.size() > 2) {
        return report_usage_error(kName, "too many paths: '" + paths[2] + "' after IN and OUT.npy; give exactly two");
    }
    const std::string& in_path = paths[0];
    const std::string& out_path = paths[1];
    if (core::Status same = check_not_same_file(out_path, core::parse_array_source(in_path).path); !same) {
        return report_usage_error(kName, same.error().message);
    }
    if (core::Status folder = check_output_folder(out_path); !folder) {
        return report_error(kName, kExitDataError, folder.error().message);
    }

    core::Result<core::Tensor> input = read_input(args.value(), in_path);
    if (!input) return report_error(kName, kExitDataError, input.error().message);
    const core::Tensor& tensor = input.value();
    core::Result<std::optional<core::BatchNormBuffers>> running = read_running_option(args.value(), tensor.shape.C);
    if (!running) return report_error(kName, kExitDataError, running.error().message);
    if (!running.value()) {
        if (core::Status valid = core::validate(spec.value(), tensor.shape); !valid) {
            return report_error(kName, kExitDataError, valid.error().message);
        }
    }
    core::Result<core::Tensor> output = running.value()
                                            ? core::normalize_eval(tensor, core::running_stats_from(*running.value()),
                                                                   spec.value().eps, running.value()->affine)
                                            : core::normalize(tensor, spec.value());
    if (!output) return report_error(kName, kExitDataError, output.error().message);

    const core::NpyDtype out_dtype =
        dtype.value_or(tensor.has_exact64() ? core::NpyDtype::Float64 : core::NpyDtype::Float32);
    if (core::Status written = core::write_npy(out_path, output.value(), out_dtype); !written) {
        return report_error(kName, kExitDataError, written.error().message);
    }
    return kExitOk;
}

}  // namespace normviz::app::cli
