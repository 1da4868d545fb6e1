// The options of the subcommands that read a tensor: --layout, --convert-int, --running, and
// the reading itself (a .npy, an .npz or .safetensors member), with one message per problem.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "app/cli/arguments.h"
#include "core/checkpoint.h"
#include "core/layout.h"
#include "core/tensor.h"

namespace normviz::app::cli {

inline constexpr OptionSpec kInputOptions[] = {{"--layout", "L"}, {"--convert-int", ""}};
inline constexpr OptionSpec kRunningOption = {"--running", "FILE:PREFIX"};

// kNormOptions followed by `extra`: a subcommand's table.
std::vector<OptionSpec> with_norm_options(std::span<const OptionSpec> extra);
// The table of a subcommand that reads IN (normalize, stats): the norm options, the input
// options, --running, then `extra`.
std::vector<OptionSpec> reading_options(std::span<const OptionSpec> extra);
// What such a subcommand checks before reading: the norm options, --running against the norm,
// --layout. Error: a usage error, message without prefix.
core::Result<core::NormSpec> check_reading_options(const Arguments& args);

// --layout, if given. Error: a usage error, message without prefix.
core::Result<std::optional<core::Layout>> parse_layout_option(const Arguments& args);

// Reads IN ("x.npy", "x.npz:NAME", "x.safetensors:NAME") as --layout says (the rank's
// default otherwise) and --convert-int allows. Error: a data error, message without prefix.
core::Result<core::Tensor> read_input(const Arguments& args, const std::string& source);

// --running needs --norm batch (eval mode is BatchNorm's): the usage error, if any.
core::Status check_running_usage(const Arguments& args, const core::NormSpec& spec);
// The BatchNorm buffers --running names, checked against the tensor's C; nullopt without
// --running. Error: a data error, message without prefix.
core::Result<std::optional<core::BatchNormBuffers>> read_running_option(const Arguments& args, int64_t channels);

// The "Input options:" block of --help, shared by normalize and stats.
std::string input_options_help();

}  // namespace normviz::app::cli
