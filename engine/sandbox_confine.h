#pragma once
// Confinement of a sandboxed child process (docs/sandbox.md), shared by the parse worker and the thumbnail
// worker so both apply exactly the same limits:
//   - rlimits: address space (memory; not in sanitizer builds), CPU seconds, file size 0 (no file can
//     grow), no core dumps;
//   - a seccomp filter (libseccomp): no sockets, no exec, no fork, no ptrace, no signals to other processes,
//     no open() for writing or creating, no unlink/rename/mkdir/chmod/truncate/link. Denied calls fail with
//     EACCES/EPERM, so code that merely tries gets an error rather than a kill.
// Call it in the child after closing every descriptor the child must not keep and before reading any
// untrusted byte.
#include <cstdint>
#include <string>

namespace kanshiki::sandbox {

// Applies the rlimits and the seccomp filter to the calling process. Returns "" on success, otherwise what
// failed (the caller must then exit: it is not confined).
std::string confine_process(uint64_t memory_bytes, unsigned cpu_seconds);

// The first thing a worker's main() does (kanshiki-parse-worker, kanshiki-thumb-worker): close every
// inherited descriptor but stdin/stdout/stderr, die with the parent (PR_SET_PDEATHSIG), and get EPIPE instead
// of SIGPIPE from a reader that went away. False when the parent is already gone.
bool enter_worker_process();

// ASan/TSan builds: no address-space limit (their shadow memory needs terabytes of address space).
bool sanitizer_build();

}  // namespace kanshiki::sandbox
