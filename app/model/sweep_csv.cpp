#include "app/model/sweep_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "core/input_file.h"

namespace normviz::app {

namespace {

constexpr std::string_view kHeader = "norm,batch,epoch,steps,train_loss,val_loss,val_error,seconds";
constexpr size_t kFields = 8;

std::vector<std::string> split_fields(const std::string& line) {
    std::vector<std::string> fields;
    size_t start = 0;
    for (size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1)
        fields.push_back(line.substr(start, comma - start));
    fields.push_back(line.substr(start));
    return fields;
}

bool parse_whole(const std::string& text, int64_t& out) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return !text.empty() && ec == std::errc() && ptr == end;
}

bool parse_real(const std::string& text, double& out) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return !text.empty() && ec == std::errc() && ptr == end && std::isfinite(out);
}

// One data row; "" when it parsed, else what is wrong with it.
std::string parse_row(const std::string& line, SweepRow& row) {
    const std::vector<std::string> f = split_fields(line);
    if (f.size() != kFields)
        return "has " + std::to_string(f.size()) + " fields, not " + std::to_string(kFields) + " (" +
               std::string(kHeader) + ")";
    if (f[0].empty()) return "has no norm name";
    row.norm = f[0];
    int64_t epoch = 0;
    if (!parse_whole(f[1], row.batch) || row.batch < 1) return "has batch '" + f[1] + "', not a whole number >= 1";
    if (!parse_whole(f[2], epoch) || epoch < 1 || epoch > 100000)
        return "has epoch '" + f[2] + "', not a whole number from 1 to 100000";
    row.epoch = static_cast<int>(epoch);
    if (!parse_whole(f[3], row.steps) || row.steps < 0) return "has steps '" + f[3] + "', not a whole number >= 0";
    if (!parse_real(f[4], row.train_loss) || !parse_real(f[5], row.val_loss) || !parse_real(f[6], row.val_error) ||
        !parse_real(f[7], row.seconds))
        return "has a loss, error or time that is not a finite number";
    if (row.val_error < 0 || row.val_error > 1) return "has val_error '" + f[6] + "' outside 0..1";
    return "";
}

}  // namespace

core::Result<SweepTable> parse_sweep_csv(const std::string& text) {
    SweepTable table;
    size_t start = 0, number = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        start = end + 1;
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (number == 1) {
            if (line != kHeader)
                return core::make_error("not a sweep CSV of normviz train: its first line must be '" +
                                        std::string(kHeader) + "'");
            continue;
        }
        if (line.empty()) continue;
        SweepRow row;
        if (std::string why = parse_row(line, row); !why.empty())
            return core::make_error("sweep CSV line " + std::to_string(number) + " " + why);
        table.rows.push_back(std::move(row));
    }
    if (number == 0) return core::make_error("the sweep CSV is empty; write one with normviz train --sweep --csv");
    if (table.rows.empty()) return core::make_error("the sweep CSV has a header but no runs");
    return table;
}

core::Result<SweepTable> read_sweep_csv(const std::string& path) {
    auto text = core::read_small_file(path, kSweepCsvMaxBytes, "a sweep CSV");
    if (!text) return text.error();
    auto table = parse_sweep_csv(text.value());
    if (!table) return core::make_error(path + ": " + table.error().message);
    return table;
}

std::vector<SweepLine> sweep_lines(const SweepTable& table) {
    std::vector<std::string> order;
    std::map<std::string, std::map<int64_t, const SweepRow*>> last;  // norm -> batch -> last epoch's row
    for (const SweepRow& r : table.rows) {
        if (!last.count(r.norm)) order.push_back(r.norm);
        const SweepRow*& slot = last[r.norm][r.batch];
        if (!slot || r.epoch >= slot->epoch) slot = &r;
    }
    std::vector<SweepLine> lines;
    for (const std::string& norm : order) {
        SweepLine line{norm, {}, {}};
        for (const auto& [batch, row] : last[norm]) {
            line.batch.push_back(static_cast<double>(batch));
            line.error.push_back(row->val_error);
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

double sweep_error(const SweepTable& table, const std::string& norm, int64_t batch) {
    for (const SweepLine& line : sweep_lines(table)) {
        if (line.norm != norm) continue;
        for (size_t i = 0; i < line.batch.size(); ++i)
            if (line.batch[i] == static_cast<double>(batch)) return line.error[i];
    }
    return std::nan("");
}

}  // namespace normviz::app
