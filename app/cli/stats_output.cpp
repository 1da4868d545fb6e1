// JSON and CSV writers for per-group statistics.
#include "app/cli/stats_output.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "core/shape.h"

namespace normviz::app::cli {

namespace {

// Shortest decimal text that reads back to exactly `value` (std::to_chars round trip).
std::string number_text(double value) {
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    if (ec != std::errc()) return "null";
    return std::string(buffer, end);
}

std::string json_number(double value) { return std::isfinite(value) ? number_text(value) : "null"; }

std::string csv_number(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    return number_text(value);
}

std::string json_string(const std::string& text) {
    std::string quoted = "\"";
    for (unsigned char ch : text) {
        switch (ch) {
            case '"': quoted += "\\\""; break;
            case '\\': quoted += "\\\\"; break;
            case '\n': quoted += "\\n"; break;
            case '\t': quoted += "\\t"; break;
            default:
                if (ch < 0x20) {
                    char escape[8];
                    std::snprintf(escape, sizeof escape, "\\u%04x", ch);
                    quoted += escape;
                } else {
                    quoted += static_cast<char>(ch);
                }
        }
    }
    return quoted + "\"";
}

// Key coordinates of group `group`: its flat index in key space, unflattened (NCHW order).
core::Index key_of_group(const core::Partition& partition, int64_t group) {
    std::array<int64_t, 4> extents = partition.key_extents();
    core::Shape key_shape{extents[0], extents[1], extents[2], extents[3]};
    return core::unflat_index(key_shape, group);
}

int64_t coordinate(const core::Index& index, core::Axis axis) { return index.coords()[static_cast<int>(axis)]; }

}  // namespace

std::vector<KeyAxis> key_axes(const core::NormSpec& spec, core::Layout layout) {
    std::vector<KeyAxis> axes;
    const core::AxisMask reduced = core::reduced_axes(spec);
    const int rank = core::layout_rank(layout);
    for (int a = 0; a < core::kAxisCount; ++a) {
        const auto axis = static_cast<core::Axis>(a);
        if ((rank < 4 && axis == core::Axis::H) || (rank < 3 && axis == core::Axis::W)) continue;
        if (rank == 3 && axis == core::Axis::W && (reduced & core::axis_bit(axis)) == 0) {
            axes.push_back({axis, "l"});
            continue;
        }
        if (spec.kind == core::NormKind::Group && axis == core::Axis::C) {
            axes.push_back({axis, "g"});
        } else if ((reduced & core::axis_bit(axis)) == 0) {
            const auto letter = static_cast<unsigned char>(core::kAxisLetters[a]);
            axes.push_back({axis, std::string(1, static_cast<char>(std::tolower(letter)))});
        }
    }
    return axes;
}

void write_stats_json(std::FILE* out, const core::NormSpec& spec, const core::Partition& partition,
                      const std::vector<core::GroupStats>& stats, const StatsSource& source) {
    const core::Shape& shape = partition.shape;
    std::fprintf(out, "{\n");
    std::fprintf(out, "  \"norm\": %s,\n", json_string(core::norm_name(spec.kind)).c_str());
    std::fprintf(out, "  \"spec\": %s,\n", json_string(core::to_string(spec)).c_str());
    std::fprintf(out, "  \"shape\": [%lld, %lld, %lld, %lld],\n", static_cast<long long>(shape.N),
                 static_cast<long long>(shape.C), static_cast<long long>(shape.H), static_cast<long long>(shape.W));
    std::fprintf(out, "  \"layout\": %s,\n", json_string(core::layout_name(source.layout)).c_str());
    std::fprintf(out, "  \"read\": %s,\n", json_string(source.reading).c_str());
    std::fprintf(out, "  \"mode\": %s,\n", source.eval_mode ? "\"eval\"" : "\"train\"");
    if (source.eval_mode) std::fprintf(out, "  \"running\": %s,\n", json_string(source.running).c_str());
    if (!source.lengths.empty()) std::fprintf(out, "  \"lengths\": %s,\n", json_string(source.lengths).c_str());
    std::fprintf(out, "  \"eps\": %s,\n", json_number(spec.eps).c_str());
    std::fprintf(out, "  \"description\": %s,\n", json_string(core::describe(spec, shape)).c_str());
    if (!source.eval_mode)
        std::fprintf(out, "  \"non_finite_values\": {\"nan\": %lld, \"inf\": %lld, \"-inf\": %lld},\n",
                     static_cast<long long>(source.nan), static_cast<long long>(source.pos_inf),
                     static_cast<long long>(source.neg_inf));
    std::fprintf(out, "  \"groups\": [");
    const std::vector<KeyAxis> axes = key_axes(spec, source.layout);
    for (size_t g = 0; g < stats.size(); ++g) {
        const core::Index key = key_of_group(partition, static_cast<int64_t>(g));
        std::string record = g == 0 ? "\n    {\"key\": {" : ",\n    {\"key\": {";
        for (size_t i = 0; i < axes.size(); ++i) {
            if (i > 0) record += ", ";
            record += json_string(axes[i].name) + ": " + std::to_string(coordinate(key, axes[i].axis));
        }
        const core::GroupStats& s = stats[g];
        record += "}, \"count\": " + std::to_string(s.count) + ", \"mean\": " + json_number(s.mean) +
                  ", \"var\": " + json_number(s.var) + ", \"mean_sq\": " + json_number(s.mean_sq) + "}";
        std::fputs(record.c_str(), out);
    }
    std::fprintf(out, "%s]\n}\n", stats.empty() ? "" : "\n  ");
}

void write_stats_csv(std::FILE* out, const core::NormSpec& spec, const core::Partition& partition,
                     const std::vector<core::GroupStats>& stats, core::Layout layout) {
    const std::vector<KeyAxis> axes = key_axes(spec, layout);
    std::string header;
    for (const KeyAxis& axis : axes) header += axis.name + ",";
    header += "count,mean,var,mean_sq\n";
    std::fputs(header.c_str(), out);
    for (size_t g = 0; g < stats.size(); ++g) {
        const core::Index key = key_of_group(partition, static_cast<int64_t>(g));
        std::string row;
        for (const KeyAxis& axis : axes) row += std::to_string(coordinate(key, axis.axis)) + ",";
        const core::GroupStats& s = stats[g];
        row += std::to_string(s.count) + "," + csv_number(s.mean) + "," + csv_number(s.var) + "," +
               csv_number(s.mean_sq) + "\n";
        std::fputs(row.c_str(), out);
    }
}

}  // namespace normviz::app::cli
