#include "core/safe_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>

namespace normviz::core {
namespace {

// Temporary files the signal handler removes. Fixed storage: the handler may only read it.
constexpr int kSlots = 16;
char g_temp_names[kSlots][PATH_MAX];
volatile std::sig_atomic_t g_slot_used[kSlots];
std::mutex g_slots_mutex;
volatile std::sig_atomic_t g_termination = 0;
bool g_keep_running = false;

std::atomic<const char*> g_fail_step{nullptr};

int claim_slot(const std::string& temp) {
    if (temp.size() >= PATH_MAX) return -1;
    std::lock_guard<std::mutex> lock(g_slots_mutex);
    for (int i = 0; i < kSlots; ++i) {
        if (g_slot_used[i]) continue;
        std::memcpy(g_temp_names[i], temp.c_str(), temp.size() + 1);
        std::atomic_thread_fence(std::memory_order_seq_cst);  // the name before the flag
        g_slot_used[i] = 1;
        return i;
    }
    return -1;  // more than kSlots writes at once: that one is removed on failure, not on signal
}

void release_slot(int slot) {
    if (slot < 0) return;
    std::lock_guard<std::mutex> lock(g_slots_mutex);
    g_slot_used[slot] = 0;
}

extern "C" void on_signal(int sig) {
    const int saved = errno;
    for (int i = 0; i < kSlots; ++i)
        if (g_slot_used[i]) unlink(g_temp_names[i]);
    if (g_keep_running) {
        g_termination = 1;
        errno = saved;
        return;
    }
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

// True (errno = ENOSPC) when a test asked this step to fail.
bool injected(const char* step) {
    const char* fail = g_fail_step.load();
    if (fail == nullptr || std::strcmp(fail, step) != 0) return false;
    errno = ENOSPC;
    return true;
}

Error write_error(const std::string& path, const std::string& text) {
    std::string message = path + ": " + text;
    for (char& ch : message)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    return make_error(std::move(message));
}

std::string folder_of(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// Why a link at the destination is refused, naming what it points to.
std::string symlink_refusal(const std::string& path) {
    char target[PATH_MAX];
    const ssize_t n = readlink(path.c_str(), target, sizeof target - 1);
    const std::string named = n > 0 ? " (to '" + std::string(target, static_cast<size_t>(n)) + "')" : "";
    return "is a symbolic link" + named + "; normviz does not write through links, give a file path";
}

std::string random_suffix() {
    static const char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    thread_local std::mt19937_64 rng(std::random_device{}() ^ (static_cast<uint64_t>(getpid()) << 32));
    std::string s(8, 'x');
    for (char& c : s) c = kChars[rng() % (sizeof kChars - 1)];
    return s;
}

// Refuses a destination that exists and is not a regular file; `info` and `exists` describe it.
Status examine_destination(const std::string& path, struct stat& info, bool& exists) {
    exists = false;
    if (path.empty()) return make_error("cannot write a file without a name; give a file path");
    if (lstat(path.c_str(), &info) != 0) {
        if (errno == ENOENT) return Ok{};
        return write_error(path,
                           std::string("cannot write: ") + std::strerror(errno) + "; check the path and its permissions");
    }
    exists = true;
    // A link at the destination is refused, not followed: a link planted where the user
    // expects a new file would otherwise make normviz overwrite the file it names.
    if (S_ISLNK(info.st_mode)) return write_error(path, symlink_refusal(path));
    if (S_ISDIR(info.st_mode)) return write_error(path, "is a folder; give a file name inside it");
    if (!S_ISREG(info.st_mode))
        return write_error(path, "exists and is not a regular file (a device, pipe or socket); choose a file path");
    return Ok{};
}

}  // namespace

Status check_destination(const std::string& path) {
    struct stat info {};
    bool exists = false;
    if (Status ok = examine_destination(path, info, exists); !ok) return ok;
    const std::string folder = folder_of(path);
    if (access(folder.c_str(), W_OK | X_OK) != 0)
        return write_error(path, "cannot create a file in folder '" + folder + "': " + std::strerror(errno) +
                                     "; check that the folder exists and is writable");
    return Ok{};
}

Result<SafeWriter> SafeWriter::open(const std::string& requested) {
    const std::string& path = requested;
    struct stat info {};
    bool exists = false;
    if (Status ok = examine_destination(path, info, exists); !ok) return ok.error();
    int fd = -1;
    int slot = -1;
    std::string temp;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        temp = path + ".tmp" + random_suffix();
        if (injected("create")) break;
        // The name is registered for the signal handler before the file exists: registered
        // after, a SIGTERM landing between the two left the file behind (seen under load in
        // CliBadInputs.SigtermDuringALargeNormalizeLeavesNoTemporaryFile). Unlinking a name
        // not yet created is harmless.
        slot = claim_slot(temp);
        // O_EXCL and O_NOFOLLOW: never open anything planted at the name. 0666 lets the umask
        // decide a new file's mode.
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0) {
            const int saved = errno;
            release_slot(slot);  // the name is another's (EEXIST) or nobody's
            slot = -1;
            errno = saved;
        }
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        return write_error(requested, "cannot create a file in folder '" + folder_of(path) + "': " +
                                          std::strerror(errno) + "; check that the folder exists and is writable");
    }
    if (exists && fchmod(fd, info.st_mode & 07777) != 0) {
        const int saved = errno;
        close(fd);
        unlink(temp.c_str());
        release_slot(slot);
        return write_error(requested, std::string("cannot keep the file's mode: ") + std::strerror(saved));
    }
    return SafeWriter(std::move(path), std::move(temp), fd, slot);
}

SafeWriter::SafeWriter(std::string path, std::string temp, int fd, int slot)
    : path_(std::move(path)), temp_(std::move(temp)), fd_(fd), slot_(slot) {}

SafeWriter::SafeWriter(SafeWriter&& other) noexcept
    : path_(std::move(other.path_)),
      temp_(std::move(other.temp_)),
      fd_(other.fd_),
      slot_(other.slot_),
      error_(other.error_),
      failed_step_(other.failed_step_) {
    other.fd_ = -1;
    other.slot_ = -1;
    other.temp_.clear();
}

SafeWriter::~SafeWriter() { discard(); }

void SafeWriter::discard() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    if (!temp_.empty()) unlink(temp_.c_str());
    temp_.clear();
    release_slot(slot_);
    slot_ = -1;
}

bool SafeWriter::write(const void* data, size_t bytes) {
    if (failed_step_ != nullptr || fd_ < 0) return false;
    const char* p = static_cast<const char*>(data);
    while (bytes > 0) {
        const ssize_t n = injected("write") ? -1 : ::write(fd_, p, bytes);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error_ = n == 0 ? EIO : errno;
            failed_step_ = "write";
            return false;
        }
        p += n;
        bytes -= static_cast<size_t>(n);
    }
    return true;
}

Status SafeWriter::commit() {
    if (fd_ < 0 && failed_step_ == nullptr) {
        failed_step_ = "write";
        error_ = EBADF;
    }
    if (failed_step_ == nullptr && (injected("fsync") || fsync(fd_) != 0)) {
        error_ = errno;
        failed_step_ = "fsync";
    }
    if (fd_ >= 0) {
        const int closed = injected("close") ? -1 : close(fd_);
        if (closed != 0 && failed_step_ == nullptr) {
            error_ = errno;
            failed_step_ = "close";
        }
        fd_ = -1;
    }
    if (failed_step_ == nullptr && (injected("rename") || std::rename(temp_.c_str(), path_.c_str()) != 0)) {
        error_ = errno;
        failed_step_ = "rename";
    }
    if (failed_step_ != nullptr) {
        const std::string step = failed_step_;
        discard();
        return write_error(path_, "cannot write (" + step + "): " + std::strerror(error_) +
                                      "; check the free space and the folder's permissions (the old file is kept)");
    }
    temp_.clear();  // it is the destination now
    discard();
    return Ok{};
}

Status write_file_safely(const std::string& path, std::string_view bytes) {
    Result<SafeWriter> writer = SafeWriter::open(path);
    if (!writer) return writer.error();
    writer.value().write(bytes.data(), bytes.size());
    return writer.value().commit();
}

void install_signal_cleanup(bool keep_running) {
    g_keep_running = keep_running;
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &action, nullptr);
}

bool termination_requested() { return g_termination != 0; }

void fail_writes_at_for_testing(const char* step) { g_fail_step.store(step); }

}  // namespace normviz::core
