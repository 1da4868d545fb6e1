// normviz normalize: reads IN.npy, normalizes it like PyTorch's training-mode forward (no
// affine) and writes OUT.npy, checking everything before the one atomic write.
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/arguments.h"
#include "app/cli/command.h"
#include "core/normalize.h"
#include "core/npy.h"

namespace normviz::app::cli {

namespace {

constexpr std::string_view kName = "normalize";

void print_help() {
    std::string text =
        "Usage: normviz normalize --norm NAME [--groups G] [--axes AXES] [--no-center]\n"
        "                         [--eps E] [--convert-int] IN.npy OUT.npy\n"
        "\n"
        "Normalizes IN.npy like PyTorch's training-mode forward without affine:\n"
        "y = (x - mean) / sqrt(var + eps), with each group's mean and biased variance\n"
        "(rms and --no-center: y = x / sqrt(mean(x^2) + eps)). Writes OUT.npy as float32\n"
        "with IN's shape. IN.npy: float32 or float64, shape (N, C), (N, C, L) or (N, C, H, W).\n"
        "\n" +
        norm_options_help() +
        "\n"
        "Other options:\n"
        "  --convert-int  accept an integer IN.npy, converting its values to float32\n"
        "  -h, --help     show this help\n"
        "\n"
        "Options may come before or after the paths; --opt=value works too. OUT must not be\n"
        "IN; it is written only when everything succeeded.\n"
        "\n"
        "Examples:\n"
        "  normviz normalize --norm batch acts.npy bn.npy\n"
        "  normviz normalize --norm group --groups 32 acts.npy gn.npy\n"
        "  normviz normalize --axes NW --no-center acts.npy custom.npy\n";
    std::fputs(text.c_str(), stdout);
}

}  // namespace

int run_normalize(int argc, char** argv) {
    if (wants_help(argc, argv, 2)) {
        print_help();
        return kExitOk;
    }
    std::vector<OptionSpec> options(std::begin(kNormOptions), std::end(kNormOptions));
    options.push_back({"--convert-int", ""});
    core::Result<Arguments> args = parse_arguments(argc, argv, 2, options);
    if (!args) return report_usage_error(kName, args.error().message);
    core::Result<core::NormSpec> spec = parse_norm_options(args.value());
    if (!spec) return report_usage_error(kName, spec.error().message);

    const std::vector<std::string>& paths = args.value().positionals;
    if (paths.empty()) return report_usage_error(kName, "missing IN.npy and OUT.npy");
    if (paths.size() == 1) {
        return report_usage_error(kName, "missing OUT.npy, the file to write after '" +
                                             paths[0] + "'");
    }
    if (paths.size() > 2) {
        return report_usage_error(kName, "too many paths: '" + paths[2] +
                                             "' after IN.npy and OUT.npy; give exactly two");
    }
    const std::string& in_path = paths[0];
    const std::string& out_path = paths[1];
    if (core::Status same = check_not_same_file(out_path, in_path); !same) {
        return report_usage_error(kName, same.error().message);
    }
    if (core::Status folder = check_output_folder(out_path); !folder) {
        return report_error(kName, kExitDataError, folder.error().message);
    }

    const core::IntegerPolicy integers = args.value().has("--convert-int")
                                             ? core::IntegerPolicy::Convert
                                             : core::IntegerPolicy::Refuse;
    core::Result<core::Tensor> input = core::read_npy(in_path, integers);
    if (!input) return report_error(kName, kExitDataError, input.error().message);
    if (core::Status valid = core::validate(spec.value(), input.value().shape); !valid) {
        return report_error(kName, kExitDataError, valid.error().message);
    }
    core::Result<core::Tensor> output = core::normalize(input.value(), spec.value());
    if (!output) return report_error(kName, kExitDataError, output.error().message);
    output.value().source_rank = input.value().source_rank;

    if (core::Status written = core::write_npy(out_path, output.value()); !written) {
        return report_error(kName, kExitDataError, written.error().message);
    }
    return kExitOk;
}

}  // namespace normviz::app::cli
