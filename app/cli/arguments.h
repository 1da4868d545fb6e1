// The small option parser the subcommands share, and the norm options they have in common.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/norm_spec.h"
#include "core/result.h"

namespace normviz::app::cli {

// One option a subcommand accepts. `metavar` names its value ("NAME" for "--norm NAME");
// an empty metavar makes it a flag that takes no value.
struct OptionSpec {
    std::string_view name;
    std::string_view metavar;
    bool takes_value() const { return !metavar.empty(); }
};

// The options of every subcommand that chooses a norm.
inline constexpr OptionSpec kNormOptions[] = {
    {"--norm", "NAME"}, {"--groups", "G"}, {"--axes", "AXES"}, {"--no-center", ""}, {"--eps", "E"},
};

// A parsed command line: option values by name ("" for flags) and positionals in order.
struct Arguments {
    std::map<std::string, std::string, std::less<>> options;
    std::vector<std::string> positionals;

    bool has(std::string_view name) const { return options.find(name) != options.end(); }
    std::optional<std::string> value(std::string_view name) const;
};

// Parses argv[first], ..., argv[argc - 1] against `options`. Options and positionals may come
// in any order; "--opt value" and "--opt=value" both work; "--" ends the options. A value is
// the next argument unless that starts with "--" (so "--eps -1" passes -1 on).
// Error (a usage error, message without prefix) on an unknown option, a missing value, a value
// given to a flag, or an option given twice. --help is not handled here: see wants_help.
// `see_also` (e.g. "see normviz --help"), when given, ends the unknown-option and missing-value
// messages instead of the option's metavar.
core::Result<Arguments> parse_arguments(int argc, char** argv, int first, std::span<const OptionSpec> options,
                                        std::string_view see_also = {});

// Whether "--help" or "-h" appears among argv[first..] before any "--"; help wins over errors.
bool wants_help(int argc, char** argv, int first);

// NormSpec from --norm, --groups, --axes, --no-center and --eps. Checks the options on their
// own and together (--axes without --norm means custom; --axes/--no-center need custom,
// --groups needs group, G >= 1, eps finite and >= 0), not against a shape: core::validate
// does that. Error: a usage error, message without prefix.
core::Result<core::NormSpec> parse_norm_options(const Arguments& args);

// "batch, layer, instance, group, layer-token, rms, custom", from core's list of norms.
std::string norm_names_list();

// The "Norm options:" block of the subcommands' --help texts.
std::string norm_options_help();

}  // namespace normviz::app::cli
