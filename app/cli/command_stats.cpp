// normviz stats: one record per group (key, count, mean, var, mean_sq) on stdout, JSON or CSV.
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/arguments.h"
#include "app/cli/command.h"
#include "app/cli/stats_output.h"
#include "core/npy.h"
#include "core/partition.h"
#include "core/stats.h"

namespace normviz::app::cli {

namespace {

constexpr std::string_view kName = "stats";

void print_help() {
    std::string text =
        "Usage: normviz stats --norm NAME [--groups G] [--axes AXES] [--no-center] [--eps E]\n"
        "                     [--convert-int] [--format json|csv] IN.npy\n"
        "\n"
        "Prints the statistics of every group the norm pools, in group order: the key (the\n"
        "coordinates the norm keeps, e.g. {\"c\": 3} for batch, {\"n\": 1, \"g\": 0} for group),\n"
        "count, mean, biased variance var and mean of squares mean_sq, exactly as PyTorch's\n"
        "training-mode forward computes them. Numbers read back to the same double; NaN and\n"
        "Inf print as null in JSON and as nan, inf, -inf in CSV.\n"
        "IN.npy: float32 or float64, shape (N, C), (N, C, L) or (N, C, H, W).\n"
        "\n" +
        norm_options_help() +
        "\n"
        "Other options:\n"
        "  --format F     json (default: norm, spec, shape, eps, description, groups) or\n"
        "                 csv (a header, then one row per group)\n"
        "  --convert-int  accept an integer IN.npy, converting its values to float32\n"
        "  -h, --help     show this help\n"
        "\n"
        "Examples:\n"
        "  normviz stats --norm batch acts.npy\n"
        "  normviz stats --norm group --groups 2 acts.npy --format csv\n"
        "  normviz stats --axes NHW --no-center acts.npy\n";
    std::fputs(text.c_str(), stdout);
}

}  // namespace

int run_stats(int argc, char** argv) {
    if (wants_help(argc, argv, 2)) {
        print_help();
        return kExitOk;
    }
    std::vector<OptionSpec> options(std::begin(kNormOptions), std::end(kNormOptions));
    options.push_back({"--convert-int", ""});
    options.push_back({"--format", "json|csv"});
    core::Result<Arguments> args = parse_arguments(argc, argv, 2, options);
    if (!args) return report_usage_error(kName, args.error().message);
    core::Result<core::NormSpec> spec = parse_norm_options(args.value());
    if (!spec) return report_usage_error(kName, spec.error().message);

    const std::string format = args.value().value("--format").value_or("json");
    if (format != "json" && format != "csv") {
        return report_usage_error(kName, "unknown --format '" + format + "'; use json or csv");
    }
    const std::vector<std::string>& paths = args.value().positionals;
    if (paths.empty()) return report_usage_error(kName, "missing IN.npy, the tensor to read");
    if (paths.size() > 1) {
        return report_usage_error(kName, "too many paths: '" + paths[1] +
                                             "' after IN.npy; stats reads one file and "
                                             "prints to standard output");
    }

    const core::IntegerPolicy integers = args.value().has("--convert-int")
                                             ? core::IntegerPolicy::Convert
                                             : core::IntegerPolicy::Refuse;
    core::Result<core::Tensor> input = core::read_npy(paths[0], integers);
    if (!input) return report_error(kName, kExitDataError, input.error().message);
    const core::Tensor& tensor = input.value();
    if (core::Status valid = core::validate(spec.value(), tensor.shape); !valid) {
        return report_error(kName, kExitDataError, valid.error().message);
    }
    const core::Partition partition = core::make_partition(spec.value(), tensor.shape);
    const std::vector<core::GroupStats> stats = core::compute_group_stats(tensor, partition);

    if (format == "csv") {
        write_stats_csv(stdout, spec.value(), partition, stats);
    } else {
        write_stats_json(stdout, spec.value(), partition, stats);
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        return report_error(kName, kExitDataError,
                            "cannot write to standard output; check the disk or the pipe");
    }
    return kExitOk;
}

}  // namespace normviz::app::cli
