// normviz mask: writes a uint8 .npy that is 1 where a value is pooled with the focus cell.
#include <array>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/arguments.h"
#include "app/cli/command.h"
#include "app/cli/input_options.h"
#include "core/layout.h"
#include "core/npy.h"
#include "core/partition.h"
#include "core/shape.h"

namespace normviz::app::cli {

namespace {

constexpr std::string_view kName = "mask";

void print_help() {
    std::string text =
        "Usage: normviz mask --shape N,C,H,W --norm NAME [--groups G] [--axes AXES]\n"
        "                    [--no-center] --focus n,c,h,w [--layout L] OUT.npy\n"
        "\n"
        "Writes OUT.npy, a uint8 array of shape (N, C, H, W): 1 for every value the norm\n"
        "pools with the focus cell (it shares the focus's mean and variance), 0 elsewhere.\n"
        "\n"
        "Options:\n"
        "  --shape N,C,H,W  the tensor's extents, each >= 1 (e.g. 2,4,3,3)\n"
        "  --focus n,c,h,w  the focus cell, 0-based and inside --shape (e.g. 0,1,2,2)\n"
        "  --layout L       NCHW (default), NHWC, NCL, NLC or NC: --shape and --focus are\n"
        "                   then in that order (NLC: --shape B,T,D --focus b,t,d) and the\n"
        "                   mask is written in it\n"
        "  -h, --help       show this help\n"
        "\n" +
        norm_options_help() +
        "\n"
        "Examples:\n"
        "  normviz mask --shape 2,4,3,3 --norm batch --focus 0,1,0,0 bn_mask.npy\n"
        "  normviz mask --shape 2,4,3,3 --norm group --groups 2 --focus 1,3,2,2 gn_mask.npy\n";
    std::fputs(text.c_str(), stdout);
}

}  // namespace

int run_mask(int argc, char** argv) {
    if (wants_help(argc, argv, 2)) {
        print_help();
        return kExitOk;
    }
    std::vector<OptionSpec> options(std::begin(kNormOptions), std::end(kNormOptions));
    options.push_back({"--shape", "N,C,H,W"});
    options.push_back({"--focus", "n,c,h,w"});
    options.push_back(kInputOptions[0]);  // --layout
    core::Result<Arguments> args = parse_arguments(argc, argv, 2, options);
    if (!args) return report_usage_error(kName, args.error().message);

    core::Result<std::optional<core::Layout>> layout_option = parse_layout_option(args.value());
    if (!layout_option) return report_usage_error(kName, layout_option.error().message);
    const core::Layout layout = layout_option.value().value_or(core::Layout::NCHW);
    const size_t rank = static_cast<size_t>(core::layout_rank(layout));
    const std::optional<std::string> shape_text = args.value().value("--shape");
    if (!shape_text) {
        return report_usage_error(kName, "missing --shape N,C,H,W, the tensor's extents");
    }
    // Without --layout, the NCHW parsers (and their messages); with one, the layout's order.
    core::Result<std::vector<int64_t>> dims = core::parse_integers(*shape_text, rank, "--shape");
    core::Result<core::Shape> shape = core::parse_shape(*shape_text);
    if (layout_option.value()) {
        if (!dims)
            return report_usage_error(kName, "invalid --shape for layout " + std::string(core::layout_name(layout)) +
                                                 ": " + dims.error().message);
        shape = core::shape_in_layout(dims.value(), layout, "--shape");
        if (shape) {
            if (core::Status ok = core::validate_shape(shape.value()); !ok) shape = ok.error();
        }
    }
    if (!shape) {
        return report_usage_error(kName, "invalid --shape: " + shape.error().message);
    }
    core::Result<core::NormSpec> spec = parse_norm_options(args.value());
    if (!spec) return report_usage_error(kName, spec.error().message);
    const std::optional<std::string> focus_text = args.value().value("--focus");
    if (!focus_text) {
        return report_usage_error(kName, "missing --focus n,c,h,w, the cell whose group to mark");
    }
    core::Index focus;
    if (layout_option.value()) {
        core::Result<std::vector<int64_t>> coords = core::parse_integers(*focus_text, rank, "--focus");
        if (!coords) return report_usage_error(kName, "invalid --focus: " + coords.error().message);
        focus = core::index_in_layout(coords.value(), layout);
    } else {
        core::Result<core::Index> parsed = core::parse_index(*focus_text);
        if (!parsed) return report_usage_error(kName, "invalid --focus: " + parsed.error().message);
        focus = parsed.value();
    }
    if (!core::contains(shape.value(), focus)) {
        return report_usage_error(kName, "--focus " + core::to_string(focus) + " is outside --shape " +
                                             core::to_string(shape.value()) +
                                             "; each coordinate must be below its extent");
    }

    const std::vector<std::string>& paths = args.value().positionals;
    if (paths.empty()) return report_usage_error(kName, "missing OUT.npy, the file to write");
    if (paths.size() > 1) {
        return report_usage_error(kName, "too many paths: '" + paths[1] + "' after OUT.npy; give exactly one");
    }
    const std::string& out_path = paths[0];
    if (core::Status valid = core::validate(spec.value(), shape.value()); !valid) {
        return report_usage_error(kName, valid.error().message);
    }
    if (core::Status folder = check_output_folder(out_path); !folder) {
        return report_error(kName, kExitDataError, folder.error().message);
    }

    const core::Partition partition = core::make_partition(spec.value(), shape.value());
    const std::vector<uint8_t> mask = core::group_mask(partition, focus);
    std::vector<uint8_t> ordered(mask.size());
    core::from_nchw(mask.data(), shape.value(), layout, ordered.data());
    core::Status written = core::write_npy_u8(out_path, core::dims_in_layout(shape.value(), layout), ordered);
    if (!written) return report_error(kName, kExitDataError, written.error().message);
    return kExitOk;
}

}  // namespace normviz::app::cli
