// Child processes, Xvfb, the --status reader and PNG loading for the end-to-end tests.
#include "gui_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>
#include <thread>

#include <stb_image.h>

#include "app/view/grid_layout.h"

extern char** environ;

namespace normviz::e2e {

namespace {

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

Clock::time_point deadline_after(Seconds timeout) {
    return Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
}

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

}  // namespace

std::optional<std::string> find_tool(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) continue;
        const std::string candidate = dir + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::nullopt;
}

std::string app_preload() {
    const char* value = std::getenv("NORMVIZ_TEST_APP_LD_PRELOAD");
    return value ? value : "";
}

std::vector<std::string> child_environment(const std::map<std::string, std::string>& set,
                                           const std::vector<std::string>& unset) {
    std::set<std::string> drop(unset.begin(), unset.end());
    for (const auto& [key, value] : set) drop.insert(key);
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string entry = *e;
        const std::string key = entry.substr(0, entry.find('='));
        if (!drop.count(key)) env.push_back(entry);
    }
    for (const auto& [key, value] : set) env.push_back(key + "=" + value);
    return env;
}

// ---- Process ----

Process::~Process() { kill_now(); }

bool Process::start(const std::vector<std::string>& argv, const std::vector<std::string>& env, int extra_fd_out,
                    int* extra_read_fd) {
    int out_pipe[2], err_pipe[2], extra_pipe[2] = {-1, -1};
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) return false;
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        ::close(out_pipe[0]), ::close(out_pipe[1]);
        return false;
    }
    if (extra_fd_out >= 0 && ::pipe2(extra_pipe, O_CLOEXEC) != 0) {
        ::close(out_pipe[0]), ::close(out_pipe[1]), ::close(err_pipe[0]), ::close(err_pipe[1]);
        return false;
    }
    std::vector<char*> args, envp;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
        // Child: only async-signal-safe calls from here on. If the test process dies (a
        // ctest timeout kills it), the kernel kills the child too: no stray X servers.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(127);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        if (extra_fd_out >= 0) {
            if (extra_pipe[1] == extra_fd_out) ::fcntl(extra_fd_out, F_SETFD, 0);
            else ::dup2(extra_pipe[1], extra_fd_out);
        }
        ::execve(args[0], args.data(), envp.data());
        const char msg[] = "exec failed\n";
        [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
        ::_exit(127);
    }
    pid_ = pid;
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
    ::fcntl(out_fd_, F_SETFL, O_NONBLOCK);
    ::fcntl(err_fd_, F_SETFL, O_NONBLOCK);
    if (extra_fd_out >= 0) {
        ::close(extra_pipe[1]);
        *extra_read_fd = extra_pipe[0];
    }
    return true;
}

bool Process::running() {
    if (pid_ < 0 || exit_status_) return false;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return false;
    }
    return r == 0;
}

void Process::pump(int timeout_ms) {
    pollfd fds[2];
    int count = 0;
    if (out_fd_ >= 0) fds[count++] = {out_fd_, POLLIN, 0};
    if (err_fd_ >= 0) fds[count++] = {err_fd_, POLLIN, 0};
    if (count == 0) {
        if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::min(timeout_ms, 20)));
        return;
    }
    if (::poll(fds, count, timeout_ms) <= 0) return;
    for (int i = 0; i < count; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const bool is_out = fds[i].fd == out_fd_;
        char buf[8192];
        for (;;) {
            const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                if (is_out) out_.append(buf, n), all_out_.append(buf, n);
                else err_.append(buf, n);
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EINTR)) close_fd(is_out ? out_fd_ : err_fd_);
            break;
        }
    }
}

std::optional<std::string> Process::read_line(Seconds timeout) {
    const auto deadline = deadline_after(timeout);
    for (;;) {
        const size_t nl = out_.find('\n');
        if (nl != std::string::npos) {
            std::string line = out_.substr(0, nl);
            out_.erase(0, nl + 1);
            return line;
        }
        if (out_fd_ < 0 || Clock::now() >= deadline) return std::nullopt;  // EOF or timeout
        pump(std::min(remaining_ms(deadline), 100));
    }
}

std::optional<int> Process::wait_exit(Seconds timeout) {
    const auto deadline = deadline_after(timeout);
    while (running()) {
        if (Clock::now() >= deadline) return std::nullopt;
        pump(std::min(remaining_ms(deadline), 50));
    }
    return exit_status_;
}

void Process::drain() {
    while (out_fd_ >= 0 || err_fd_ >= 0) {
        const int before_out = out_fd_, before_err = err_fd_;
        const size_t size = out_.size() + err_.size();
        pump(50);
        if (out_fd_ == before_out && err_fd_ == before_err && out_.size() + err_.size() == size) break;
    }
}

void Process::kill_now() {
    if (pid_ >= 0 && running()) {
        ::kill(pid_, SIGTERM);
        if (!wait_exit(Seconds(3))) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
            exit_status_ = 128 + SIGKILL;
        }
    }
    close_fd(out_fd_);
    close_fd(err_fd_);
}

CommandResult run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env, Seconds timeout) {
    CommandResult result;
    Process p;
    if (!p.start(argv, env)) {
        result.err = "cannot start " + argv[0];
        return result;
    }
    auto code = p.wait_exit(timeout);
    if (!code) p.kill_now();
    p.drain();
    result.exit_code = code ? *code : -1;
    result.out = p.stdout_text();
    result.err = p.stderr_text();
    return result;
}

// ---- Xvfb ----

bool Xvfb::start(int width, int height, std::string& error) {
    auto xvfb = find_tool("Xvfb");
    if (!xvfb) {
        error = "Xvfb is not installed";
        return false;
    }
    int display_fd = -1;
    const std::string screen = std::to_string(width) + "x" + std::to_string(height) + "x24";
    // -displayfd: the server picks a free display number and writes it once it accepts
    // connections, so parallel runs never collide.
    if (!server_.start({*xvfb, "-displayfd", "3", "-screen", "0", screen, "-nolisten", "tcp", "-noreset"},
                       child_environment({}), 3, &display_fd)) {
        error = "cannot start Xvfb";
        return false;
    }
    std::string number;
    const auto deadline = deadline_after(Seconds(30));
    while (number.find('\n') == std::string::npos && Clock::now() < deadline) {
        pollfd fd{display_fd, POLLIN, 0};
        if (::poll(&fd, 1, std::min(remaining_ms(deadline), 200)) > 0) {
            char buf[32];
            const ssize_t n = ::read(display_fd, buf, sizeof buf);
            if (n <= 0) break;
            number.append(buf, n);
        }
        if (!server_.running()) break;
    }
    ::close(display_fd);
    while (!number.empty() && (number.back() == '\n' || number.back() == ' ')) number.pop_back();
    if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) {
        server_.kill_now();
        server_.drain();
        error = "Xvfb did not report a display within 30 s: " + server_.stderr_text();
        return false;
    }
    display_ = ":" + number;
    return true;
}

// ---- status protocol ----

std::map<std::string, std::string> parse_record(const std::string& line, std::string& word) {
    std::map<std::string, std::string> out;
    std::stringstream in(line);
    in >> word;
    std::string item;
    while (in >> item) {
        const size_t eq = item.find('=');
        if (eq == std::string::npos) continue;
        out[item.substr(0, eq)] = item.substr(eq + 1);
    }
    return out;
}

std::vector<double> parse_numbers(const std::string& text) {
    std::vector<double> out;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ',')) out.push_back(std::strtod(part.c_str(), nullptr));
    return out;
}

double number(const std::map<std::string, std::string>& record, const std::string& key) {
    auto it = record.find(key);
    return it == record.end() ? std::nan("") : std::strtod(it->second.c_str(), nullptr);
}

std::string index_text(const core::Index& i) {
    return std::to_string(i.n) + "," + std::to_string(i.c) + "," + std::to_string(i.h) + "," + std::to_string(i.w);
}

Pixel cell_center(const StatusBlock& block, size_t panel, const core::Shape& shape, const core::Index& cell) {
    const auto canvas = parse_numbers(block.panels.at(panel).at("canvas"));
    const auto pan = parse_numbers(block.layout.at("pan"));
    const double zoom = number(block.layout, "zoom");
    const app::Vec2 o = app::cell_origin(layout_of(block, shape), cell);
    return {static_cast<int>(std::floor(canvas.at(0) + (o.x + 0.5 - pan.at(0)) * zoom)),
            static_cast<int>(std::floor(canvas.at(1) + (o.y + 0.5 - pan.at(1)) * zoom))};
}

app::GridLayout layout_of(const StatusBlock& block, const core::Shape& shape) {
    app::GridLayout l;
    l.shape = shape;
    l.tiles_per_row = static_cast<int64_t>(number(block.layout, "tiles_per_row"));
    l.blocks_per_row = static_cast<int64_t>(number(block.layout, "blocks_per_row"));
    l.tile_gap = static_cast<float>(number(block.layout, "tile_gap"));
    l.sample_gap = static_cast<float>(number(block.layout, "sample_gap"));
    return l;
}

namespace {

// Feeds one line of --status output to the block being built. False for a line that is not
// part of a block's frame ("status", "layout", "panel", "end"): a line outside any block, or
// a block's other record ("ui", ...), which is stored in the block. A finished block is moved
// to `done`.
bool feed_status_line(std::optional<StatusBlock>& building, const std::string& line, std::optional<StatusBlock>& done) {
    std::string word;
    auto record = parse_record(line, word);
    if (word == "status") {
        building = StatusBlock{};
        building->status = std::move(record);
        return true;
    }
    if (!building) return false;
    if (word == "layout") {
        building->layout = std::move(record);
    } else if (word == "panel") {
        building->panels.push_back(std::move(record));
    } else if (word == "end" && record.empty()) {
        done = std::move(*building);
        building.reset();
    } else {
        if (!word.empty()) building->records[word] = std::move(record);
        return false;
    }
    return true;
}

}  // namespace

std::vector<StatusBlock> parse_status_text(const std::string& text) {
    std::vector<StatusBlock> out;
    std::optional<StatusBlock> building;
    std::stringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::optional<StatusBlock> done;
        feed_status_line(building, line, done);
        if (done) out.push_back(std::move(*done));
    }
    return out;
}

std::string StatusBlock::focus() const {
    auto it = status.find("focus");
    return it == status.end() ? "" : it->second;
}

const std::map<std::string, std::string>* StatusBlock::record(const std::string& word) const {
    auto it = records.find(word);
    return it == records.end() ? nullptr : &it->second;
}

std::string StatusBlock::field(const std::string& word, const std::string& key) const {
    const std::map<std::string, std::string>* r = word == "status"   ? &status
                                                  : word == "layout" ? &layout
                                                                     : record(word);
    if (!r) return "";
    auto it = r->find(key);
    return it == r->end() ? "" : it->second;
}

std::optional<std::string> StatusReader::next(Clock::time_point deadline, bool& completed_block) {
    completed_block = false;
    auto line = process_.read_line(Seconds(remaining_ms(deadline) / 1000.0));
    if (!line) return std::nullopt;
    lines_.push_back(*line);
    std::optional<StatusBlock> done;
    if (!feed_status_line(building_, *line, done)) other_lines_.push_back(*line);
    if (done) {
        last_ = std::move(*done);
        blocks_.push_back(*last_);
        completed_block = true;
    }
    return line;
}

std::optional<StatusBlock> StatusReader::wait_block(const std::function<bool(const StatusBlock&)>& accept,
                                                    Seconds timeout) {
    const auto deadline = deadline_after(timeout);
    for (;;) {
        while (blocks_consumed_ < blocks_.size()) {
            const StatusBlock& block = blocks_[blocks_consumed_++];
            if (accept(block)) return block;
        }
        bool completed = false;
        if (!next(deadline, completed)) return std::nullopt;
    }
}

std::optional<std::string> StatusReader::wait_line(const std::string& prefix, Seconds timeout) {
    const auto deadline = deadline_after(timeout);
    for (;;) {
        while (other_consumed_ < other_lines_.size()) {
            const std::string& line = other_lines_[other_consumed_++];
            if (line.rfind(prefix, 0) == 0) return line;
        }
        bool completed = false;
        if (!next(deadline, completed)) return std::nullopt;
    }
}

std::string StatusReader::transcript(size_t max_lines) const {
    std::string out;
    const size_t first = lines_.size() > max_lines ? lines_.size() - max_lines : 0;
    for (size_t i = first; i < lines_.size(); ++i) out += "  | " + lines_[i] + "\n";
    return out.empty() ? "  (no output)\n" : out;
}

// ---- PNG ----

bool Image::load(const std::string& path, std::string& error) {
    int channels = 0;
    unsigned char* data = stbi_load(path.c_str(), &width, &height, &channels, 4);
    if (!data) {
        error = "cannot read " + path + ": " + (stbi_failure_reason() ? stbi_failure_reason() : "unknown");
        return false;
    }
    rgba.assign(data, data + static_cast<size_t>(width) * height * 4);
    stbi_image_free(data);
    return true;
}

}  // namespace normviz::e2e
