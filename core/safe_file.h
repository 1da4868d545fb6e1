// The one way normviz writes a file: a unique temporary file next to the destination, every
// step checked, renamed over the destination only when all of it reached the disk.
// docs/ARCHITECTURE.md, "Writing files".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace normviz::core {

// An open temporary file that becomes `path` on commit(). Refuses a destination that exists
// and is not a regular file (a device, pipe, socket, folder or symbolic link: a link is never
// followed, so a link planted at an output name cannot redirect the write). The temporary file is
// created with O_EXCL | O_NOFOLLOW under a random name in the destination's folder, gets the
// mode of the file it replaces or, for a new file, 0666 less the umask. Until commit()
// succeeds the destination is untouched; the temporary file is removed on any failure, on
// destruction, and on SIGINT/SIGTERM/SIGHUP once install_signal_cleanup() ran.
class SafeWriter {
public:
    static Result<SafeWriter> open(const std::string& path);
    SafeWriter(SafeWriter&& other) noexcept;
    SafeWriter& operator=(SafeWriter&&) = delete;
    SafeWriter(const SafeWriter&) = delete;
    ~SafeWriter();

    // Appends bytes; false after any failure (the error is kept for commit()).
    bool write(const void* data, size_t bytes);
    // fsync, close, rename; the error names the path, the failing step and errno's reason.
    Status commit();

private:
    SafeWriter(std::string path, std::string temp, int fd, int slot);
    void discard();

    std::string path_, temp_;
    int fd_ = -1;
    int slot_ = -1;  // index in the signal handler's list of temporary files
    int error_ = 0;  // errno of the first failure
    const char* failed_step_ = nullptr;
};

// SafeWriter::open's checks without creating anything (the destination, and a folder that
// can take a new file), for commands that check their outputs before long work or a window.
Status check_destination(const std::string& path);

// Writes `bytes` to `path` through a SafeWriter.
Status write_file_safely(const std::string& path, std::string_view bytes);

// Removes pending temporary files on SIGINT, SIGTERM and SIGHUP. Without `keep_running` the
// signal then ends the process as it would have (default action); with it the signal only
// sets termination_requested(), so a program with a main loop can save its state and exit.
void install_signal_cleanup(bool keep_running);
bool termination_requested();

// Tests only: the next writes fail at `step` ("create", "write", "fsync", "close",
// "rename") with ENOSPC, as on a full disk; nullptr turns it off.
void fail_writes_at_for_testing(const char* step);

}  // namespace normviz::core
