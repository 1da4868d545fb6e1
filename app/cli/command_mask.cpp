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

constexpr OptionSpec kMaskOptions[] = {{"--shape", "N,C,H,W"}, {"--focus", "n,c,h,w"}, kInputOptions[0]};

std::string help_text() {
    return "Usage: normviz mask --shape N,C,H,W --norm NAME [--groups G] [--axes AXES]\n"
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
}

// What the command line describes: the tensor's shape, the norm, the focus cell, OUT.npy.
struct MaskRequest {
    core::Layout layout = core::Layout::NCHW;
    core::Shape shape;
    core::NormSpec norm;
    core::Index focus;
    std::string out_path;
};

// --shape: without --layout, the NCHW parsers (and their messages); with one, the layout's order.
core::Result<core::Shape> read_mask_shape(const Arguments& args, bool layout_given, core::Layout layout) {
    const std::optional<std::string> text = args.value("--shape");
    if (!text) return core::make_error("missing --shape N,C,H,W, the tensor's extents");
    core::Result<core::Shape> shape = core::parse_shape(*text);
    if (layout_given) {
        const size_t rank = static_cast<size_t>(core::layout_rank(layout));
        core::Result<std::vector<int64_t>> dims = core::parse_integers(*text, rank, "--shape");
        if (!dims)
            return core::make_error("invalid --shape for layout " + std::string(core::layout_name(layout)) + ": " +
                                    dims.error().message);
        shape = core::shape_in_layout(dims.value(), layout, "--shape");
        if (shape) {
            if (core::Status ok = core::validate_shape(shape.value()); !ok) shape = ok.error();
        }
    }
    if (!shape) return core::make_error("invalid --shape: " + shape.error().message);
    return shape;
}

// --focus, in --layout's order when given, and inside the shape.
core::Result<core::Index> read_mask_focus(const Arguments& args, bool layout_given, const MaskRequest& request) {
    const std::optional<std::string> text = args.value("--focus");
    if (!text) return core::make_error("missing --focus n,c,h,w, the cell whose group to mark");
    core::Index focus;
    if (layout_given) {
        const size_t rank = static_cast<size_t>(core::layout_rank(request.layout));
        core::Result<std::vector<int64_t>> coords = core::parse_integers(*text, rank, "--focus");
        if (!coords) return core::make_error("invalid --focus: " + coords.error().message);
        focus = core::index_in_layout(coords.value(), request.layout);
    } else {
        core::Result<core::Index> parsed = core::parse_index(*text);
        if (!parsed) return core::make_error("invalid --focus: " + parsed.error().message);
        focus = parsed.value();
    }
    if (!core::contains(request.shape, focus))
        return core::make_error("--focus " + core::to_string(focus) + " is outside --shape " +
                                core::to_string(request.shape) + "; each coordinate must be below its extent");
    return focus;
}

// Everything mask checks on the command line, argv[2..]. Error: a usage error, message
// without prefix.
core::Result<MaskRequest> read_mask_request(int argc, char** argv) {
    core::Result<Arguments> parsed = parse_arguments(argc, argv, 2, with_norm_options(kMaskOptions));
    if (!parsed) return parsed.error();
    const Arguments& args = parsed.value();
    core::Result<std::optional<core::Layout>> layout = parse_layout_option(args);
    if (!layout) return layout.error();
    MaskRequest request;
    const bool layout_given = layout.value().has_value();
    request.layout = layout.value().value_or(core::Layout::NCHW);
    core::Result<core::Shape> shape = read_mask_shape(args, layout_given, request.layout);
    if (!shape) return shape.error();
    request.shape = shape.value();
    core::Result<core::NormSpec> spec = parse_norm_options(args);
    if (!spec) return spec.error();
    request.norm = spec.value();
    core::Result<core::Index> focus = read_mask_focus(args, layout_given, request);
    if (!focus) return focus.error();
    request.focus = focus.value();
    const std::vector<std::string>& paths = args.positionals;
    if (paths.empty()) return core::make_error("missing OUT.npy, the file to write");
    if (paths.size() > 1) return core::make_error("too many paths: '" + paths[1] + "' after OUT.npy; give exactly one");
    request.out_path = paths[0];
    if (core::Status valid = core::validate(request.norm, request.shape); !valid) return valid.error();
    return request;
}

// Writes the mask OUT.npy in --layout's order.
int write_mask(const MaskRequest& request) {
    if (core::Status folder = check_output_folder(request.out_path); !folder) {
        return report_error(kName, kExitDataError, folder.error().message);
    }
    const core::Partition partition = core::make_partition(request.norm, request.shape);
    const std::vector<uint8_t> mask = core::group_mask(partition, request.focus);
    std::vector<uint8_t> ordered(mask.size());
    core::from_nchw(mask.data(), request.shape, request.layout, ordered.data());
    core::Status written =
        core::write_npy_u8(request.out_path, core::dims_in_layout(request.shape, request.layout), ordered);
    return written ? kExitOk : report_error(kName, kExitDataError, written.error().message);
}

}  // namespace

int run_mask(int argc, char** argv) {
    if (print_help_if_asked(argc, argv, help_text())) return kExitOk;
    core::Result<MaskRequest> request = read_mask_request(argc, argv);
    return request ? write_mask(request.value()) : report_usage_error(kName, request.error().message);
}

}  // namespace normviz::app::cli
