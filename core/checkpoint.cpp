// Reading a BatchNorm layer's buffers (running_mean, running_var, weight, bias) by prefix.
#include "core/checkpoint.h"

#include <charconv>
#include <set>

#include "core/array_file.h"

namespace normviz::core {
namespace {

// One printable line: names from the file may hold control characters; they become '?'.
Error line_error(std::string message) {
    for (char& ch : message) {
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    }
    return make_error(std::move(message));
}

bool ends_with(const std::string& text, const std::string& tail) {
    return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

// The prefixes of every "PREFIX.running_mean" in the file, for the error message.
std::string batchnorm_prefixes(const std::vector<ArrayEntry>& entries) {
    std::string out;
    int shown = 0;
    for (const ArrayEntry& e : entries) {
        if (!ends_with(e.name, ".running_mean")) continue;
        if (shown++ == 12) return out + ", ...";
        out += (out.empty() ? "" : ", ") + e.name.substr(0, e.name.size() - 13);
    }
    return out.empty() ? "none" : out;
}

}  // namespace

Result<BatchNormBuffers> read_batchnorm_buffers(const std::string& source) {
    return read_batchnorm_buffers(parse_array_source(source));
}

Result<BatchNormBuffers> read_batchnorm_buffers(const ArraySource& s) {
    Result<std::vector<ArrayEntry>> entries = list_arrays(s.path);
    if (!entries) return entries.error();
    const std::string prefixes = batchnorm_prefixes(entries.value());
    if (s.member.empty())
        return line_error(s.path + ": name the BatchNorm layer, e.g. " + s.path + ":" +
                          (prefixes == "none" ? std::string("bn1") : prefixes.substr(0, prefixes.find(','))) +
                          "; layers with running statistics: " + prefixes);
    std::set<std::string> names;
    for (const ArrayEntry& e : entries.value()) names.insert(e.name);
    BatchNormBuffers out;
    out.prefix = s.member;
    std::vector<std::vector<float>> read(4);
    const char* suffixes[] = {".running_mean", ".running_var", ".weight", ".bias"};
    for (int k = 0; k < 4; ++k) {
        const std::string name = s.member + suffixes[k];
        if (!names.count(name)) {
            if (k >= 2) continue;  // affine=False layers have no weight or bias
            return line_error(s.path + ": has no '" + name + "'; layers with running statistics: " + prefixes);
        }
        Result<Array> array = read_array(ArraySource{s.path, name}, IntegerPolicy::Refuse);
        if (!array) return array.error();
        if (array.value().dims.size() != 1)
            return line_error(s.path + ":" + name +
                              ": expected one value per channel (rank 1), "
                              "got rank " +
                              std::to_string(array.value().dims.size()));
        if (k < 2 && !array.value().values64.empty()) {
            (k == 0 ? out.running_mean : out.running_var) = array.value().values64;
        } else {
            read[k].assign(array.value().values.begin(), array.value().values.end());
        }
    }
    if (out.running_mean.empty()) out.running_mean.assign(read[0].begin(), read[0].end());
    if (out.running_var.empty()) out.running_var.assign(read[1].begin(), read[1].end());
    out.affine.gamma = std::move(read[2]);
    out.affine.beta = std::move(read[3]);
    const size_t c = out.running_mean.size();
    const bool same = out.running_var.size() == c && (out.affine.gamma.empty() || out.affine.gamma.size() == c) &&
                      (out.affine.beta.empty() || out.affine.beta.size() == c);
    if (!same)
        return line_error(s.path + ": the buffers of '" + s.member + "' have different lengths (" + std::to_string(c) +
                          " running means, " + std::to_string(out.running_var.size()) +
                          " variances); the checkpoint is "
                          "inconsistent");
    // sqrt(var + eps) of a negative variance is NaN in every value of its channel.
    for (size_t ch = 0; ch < c; ++ch) {
        if (!(out.running_var[ch] < 0)) continue;
        char value[32];
        const auto printed = std::to_chars(value, value + sizeof value, out.running_var[ch]);
        return line_error(s.path + ": " + s.member + ".running_var of channel " + std::to_string(ch) + " is " +
                          std::string(value, printed.ptr) +
                          "; a variance is never negative, so the checkpoint is corrupt");
    }
    return out;
}

Status check_buffers_fit(const BatchNormBuffers& buffers, int64_t channels) {
    const int64_t c = static_cast<int64_t>(buffers.running_mean.size());
    if (c == channels) return Ok{};
    return line_error("the running statistics of '" + buffers.prefix + "' have " + std::to_string(c) +
                      " channels, but the tensor has C = " + std::to_string(channels) +
                      "; pick the BatchNorm layer that follows this activation, or check --layout");
}

RunningStats running_stats_from(const BatchNormBuffers& buffers) {
    return RunningStats(buffers.running_mean, buffers.running_var);
}

}  // namespace normviz::core
