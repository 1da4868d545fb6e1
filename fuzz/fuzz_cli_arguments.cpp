// libFuzzer target for the command-line parser of the headless subcommands. The input is
// split on NUL or newline into arguments; the first picks the subcommand's option table
// (normalize, stats, mask, else normalize's). It runs what run_normalize/run_stats/run_mask
// do before touching any file: wants_help, parse_arguments, parse_norm_options and, for
// mask, --shape/--focus parsing and validate. It never reads or writes a file.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/arguments.h"
#include "core/assert.h"
#include "core/norm_spec.h"
#include "core/shape.h"

namespace {

using namespace normviz;
using app::cli::OptionSpec;

// Mirrors the option tables in app/cli/command_*.cpp (they are local to each command).
std::vector<OptionSpec> options_of(std::string_view command) {
    std::vector<OptionSpec> options(std::begin(app::cli::kNormOptions), std::end(app::cli::kNormOptions));
    if (command == "mask") {
        options.push_back({"--shape", "N,C,H,W"});
        options.push_back({"--focus", "n,c,h,w"});
    } else {
        options.push_back({"--convert-int", ""});
        if (command == "stats") options.push_back({"--format", "json|csv"});
    }
    return options;
}

void check_message(const core::Error& error) { NORMVIZ_ASSERT(!error.message.empty(), "an error has a message"); }

// The parsed spec, printed back as options and parsed again, is the same norm.
void check_round_trip(const core::NormSpec& spec) {
    std::vector<std::string> words = {"normviz", "normalize"};
    std::string text = core::to_string(spec);
    size_t start = 0;
    while (start < text.size()) {
        size_t space = text.find(' ', start);
        if (space == std::string::npos) space = text.size();
        words.push_back(text.substr(start, space - start));
        start = space + 1;
    }
    // to_string starts with the bare norm name: turn it into "--norm NAME".
    words.insert(words.begin() + 2, "--norm");
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    const int argc = static_cast<int>(words.size());
    core::Result<app::cli::Arguments> again = app::cli::parse_arguments(argc, argv.data(), 2, app::cli::kNormOptions);
    NORMVIZ_ASSERT(again.ok(), "to_string(spec) parses as options");
    core::Result<core::NormSpec> spec_again = app::cli::parse_norm_options(again.value());
    NORMVIZ_ASSERT(spec_again.ok(), "to_string(spec) is a valid norm");
    const core::NormSpec& b = spec_again.value();
    NORMVIZ_ASSERT(b.kind == spec.kind, "round trip keeps the norm");
    NORMVIZ_ASSERT(spec.kind != core::NormKind::Group || b.groups == spec.groups, "round trip keeps G");
    NORMVIZ_ASSERT(spec.kind != core::NormKind::Custom ||
                       (b.custom_axes == spec.custom_axes && b.custom_center == spec.custom_center),
                   "round trip keeps custom axes and centering");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 4096) return 0;  // command lines are short; longer inputs only cost time
    std::vector<std::string> words = {"normviz"};
    std::string word;
    for (size_t i = 0; i < size; ++i) {
        const char ch = static_cast<char>(data[i]);
        if (ch == '\0' || ch == '\n') {
            words.push_back(word);
            word.clear();
        } else {
            word += ch;
        }
    }
    words.push_back(word);
    if (words.size() > 64) return 0;
    std::vector<char*> argv;
    for (std::string& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);  // argv[argc] is NULL, as for main()
    const int argc = static_cast<int>(words.size());
    const std::string_view command = words[1];

    if (app::cli::wants_help(argc, argv.data(), 2)) return 0;
    const std::vector<OptionSpec> options = options_of(command);
    core::Result<app::cli::Arguments> args = app::cli::parse_arguments(argc, argv.data(), 2, options);
    if (!args) {
        check_message(args.error());
        return 0;
    }
    for (const auto& [name, value] : args.value().options) {
        bool known = false;
        for (const OptionSpec& option : options) known = known || option.name == name;
        NORMVIZ_ASSERT(known, "only declared options are returned");
    }
    core::Result<core::NormSpec> spec = app::cli::parse_norm_options(args.value());
    if (!spec) {
        check_message(spec.error());
    } else {
        check_round_trip(spec.value());
    }
    if (command != "mask") return 0;

    std::optional<std::string> shape_text = args.value().value("--shape");
    std::optional<std::string> focus_text = args.value().value("--focus");
    core::Result<core::Shape> shape = core::parse_shape(shape_text.value_or(""));
    core::Result<core::Index> focus = core::parse_index(focus_text.value_or(""));
    if (!shape) check_message(shape.error());
    if (!focus) check_message(focus.error());
    if (shape && focus) (void)core::to_string(focus.value());
    if (shape) {
        NORMVIZ_ASSERT(core::validate_shape(shape.value()).ok(), "parse_shape returns only valid shapes");
        (void)core::to_string(shape.value());
        if (focus) (void)core::contains(shape.value(), focus.value());
        if (spec) {
            core::Status valid = core::validate(spec.value(), shape.value());
            if (valid) {
                (void)core::describe(spec.value(), shape.value());
            } else {
                check_message(valid.error());
            }
        }
    }
    return 0;
}
