// Option parsing shared by the subcommands: generic --opt/--opt=value handling, norm options.
#include "app/cli/arguments.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace normviz::app::cli {

namespace {

const OptionSpec* find_option(std::span<const OptionSpec> options, std::string_view name) {
    for (const OptionSpec& option : options) {
        if (option.name == name) return &option;
    }
    return nullptr;
}

bool starts_with_dashes(std::string_view text) { return text.size() >= 2 && text.substr(0, 2) == "--"; }

// Whole-string integer parse; nullopt on any junk, sign or overflow problem.
std::optional<int64_t> parse_int64(std::string_view text) {
    int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

// Whole-string floating-point parse; nullopt on junk or overflow.
std::optional<double> parse_double(std::string_view text) {
    double value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

}  // namespace

std::optional<std::string> Arguments::value(std::string_view name) const {
    auto it = options.find(name);
    if (it == options.end()) return std::nullopt;
    return it->second;
}

core::Result<Arguments> parse_arguments(int argc, char** argv, int first, std::span<const OptionSpec> options,
                                        std::string_view see_also) {
    const std::string hint = see_also.empty() ? std::string() : "; " + std::string(see_also);
    Arguments args;
    bool options_ended = false;
    for (int i = first; i < argc; ++i) {
        std::string_view arg = argv[i];
        // "-" alone and anything not starting with '-' is a positional (a path).
        if (options_ended || arg.size() < 2 || arg[0] != '-') {
            args.positionals.emplace_back(arg);
            continue;
        }
        if (arg == "--") {
            options_ended = true;
            continue;
        }
        if (arg == "--help" || arg == "-h") continue;  // handled by wants_help

        size_t equals = arg.find('=');
        std::string_view name = arg.substr(0, equals);
        const OptionSpec* option = find_option(options, name);
        if (option == nullptr) {
            return core::make_error("unknown option '" + std::string(name) + "'" + hint);
        }
        if (args.has(name)) {
            return core::make_error(std::string(name) + " is given twice; give it once");
        }
        if (!option->takes_value()) {
            if (equals != std::string_view::npos) {
                return core::make_error(std::string(name) + " takes no value; write just " + std::string(name));
            }
            args.options.emplace(std::string(name), std::string());
            continue;
        }
        std::string value;
        if (equals != std::string_view::npos) {
            value = std::string(arg.substr(equals + 1));
        } else if (i + 1 < argc && !starts_with_dashes(argv[i + 1])) {
            value = argv[++i];
        } else {
            if (!hint.empty()) return core::make_error(std::string(name) + " needs a value" + hint);
            return core::make_error(std::string(name) + " needs a value: " + std::string(name) + " " +
                                    std::string(option->metavar));
        }
        args.options.emplace(std::string(name), std::move(value));
    }
    return args;
}

bool wants_help(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--") return false;
        if (arg == "--help" || arg == "-h") return true;
    }
    return false;
}

core::Result<core::NormSpec> parse_norm_options(const Arguments& args) {
    using core::NormKind;
    core::NormSpec spec;
    const std::optional<std::string> norm = args.value("--norm");
    const std::optional<std::string> axes = args.value("--axes");
    const std::optional<std::string> groups = args.value("--groups");
    const std::optional<std::string> eps = args.value("--eps");
    const bool no_center = args.has("--no-center");

    if (norm) {
        core::Result<NormKind> kind = core::parse_norm_name(*norm);
        if (!kind) {
            return core::make_error("unknown norm '" + *norm + "'; choose --norm from " + norm_names_list());
        }
        spec.kind = kind.value();
    } else if (axes) {
        spec.kind = NormKind::Custom;
    } else {
        return core::make_error("missing --norm NAME; choose one of " + norm_names_list() +
                                " (or give --axes AXES for a custom set of reduced axes)");
    }
    const std::string name = core::norm_name(spec.kind);

    if (spec.kind == NormKind::Custom) {
        if (!axes) {
            return core::make_error(
                "--norm custom needs --axes AXES, the reduced axes as letters of NCHW "
                "(e.g. --axes HW)");
        }
        core::Result<core::AxisMask> mask = core::parse_axes(*axes);
        if (!mask) return core::make_error("invalid --axes: " + mask.error().message);
        spec.custom_axes = mask.value();
        spec.custom_center = !no_center;
    } else {
        if (axes) {
            return core::make_error("--axes works only with --norm custom, not --norm " + name +
                                    "; drop --axes or use --norm custom");
        }
        if (no_center && spec.kind == NormKind::Rms) {
            return core::make_error("--norm rms never subtracts the mean; drop --no-center");
        }
        if (no_center) {
            return core::make_error("--no-center works only with --norm custom, not --norm " + name +
                                    "; drop it, or use --norm rms or --axes AXES "
                                    "--no-center");
        }
    }

    if (spec.kind == NormKind::Group) {
        if (!groups) {
            return core::make_error("--norm group needs --groups G, the number of groups (C must be divisible by G)");
        }
        std::optional<int64_t> g = parse_int64(*groups);
        if (!g || *g < 1) {
            return core::make_error("--groups must be a whole number >= 1, got '" + *groups +
                                    "'; C must be divisible by it");
        }
        spec.groups = *g;
    } else if (groups) {
        return core::make_error("--groups works only with --norm group, not --norm " + name +
                                "; drop --groups or use --norm group");
    }

    if (eps) {
        std::optional<double> e = parse_double(*eps);
        if (!e || !std::isfinite(*e) || *e < 0) {
            return core::make_error("--eps must be a finite number >= 0, got '" + *eps + "' (the default is 1e-05)");
        }
        spec.eps = *e;
    }
    return spec;
}

std::string norm_names_list() {
    std::string list;
    for (core::NormKind kind : core::kAllNormKinds) {
        if (!list.empty()) list += ", ";
        list += core::norm_name(kind);
    }
    return list;
}

std::string norm_options_help() {
    return "Norm options (PyTorch's training-mode forward, no affine):\n"
           "  --norm NAME    " +
           norm_names_list() +
           "\n"
           "  --groups G     number of groups for --norm group; C must be divisible by G\n"
           "  --axes AXES    reduced axes for --norm custom, letters of NCHW (e.g. HW, NW);\n"
           "                 --axes without --norm means --norm custom\n"
           "  --no-center    custom only: divide by the root mean square, do not subtract\n"
           "                 the mean\n"
           "  --eps E        added to the variance (default 1e-05)\n";
}

}  // namespace normviz::app::cli
