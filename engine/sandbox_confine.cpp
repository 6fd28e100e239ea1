// Confinement of a sandboxed child, shared by kanshiki-parse-worker (engine/parse_worker_main.cpp) and
// kanshiki-thumb-worker (engine/thumb_worker_main.cpp): what each may do once it holds untrusted bytes.
#include "engine/sandbox_confine.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kanshiki::sandbox {
namespace {

std::string set_limit(int resource, rlim_t soft, rlim_t hard) {
  rlimit rl{soft, hard};
  if (::setrlimit(resource, &rl) != 0)
    return fmt::format("setrlimit({}): {}", resource, std::strerror(errno));
  return {};
}

std::string install_seccomp() {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) return "seccomp_init failed";
  std::string failure;
  auto rule = [&](uint32_t action, int syscall, unsigned n = 0, const scmp_arg_cmp* cmp = nullptr) {
    int rc =
        n ? seccomp_rule_add_array(ctx, action, syscall, n, cmp) : seccomp_rule_add(ctx, action, syscall, 0);
    // -EDOM etc.: a syscall this architecture does not have (e.g. `open` on arm64) needs no rule.
    if (rc != 0 && rc != -EDOM && rc != -EINVAL && failure.empty())
      failure = fmt::format("seccomp rule for syscall {}: {}", syscall, rc);
  };
  const uint32_t eperm = SCMP_ACT_ERRNO(EPERM), eacces = SCMP_ACT_ERRNO(EACCES);
  // Network and other processes.
  for (int sc : {SCMP_SYS(socket),
                 SCMP_SYS(socketpair),
                 SCMP_SYS(connect),
                 SCMP_SYS(bind),
                 SCMP_SYS(listen),
                 SCMP_SYS(accept),
                 SCMP_SYS(accept4),
                 SCMP_SYS(sendto),
                 SCMP_SYS(sendmsg),
                 SCMP_SYS(sendmmsg),
                 SCMP_SYS(execve),
                 SCMP_SYS(execveat),
                 SCMP_SYS(fork),
                 SCMP_SYS(vfork),
                 SCMP_SYS(ptrace),
                 SCMP_SYS(process_vm_readv),
                 SCMP_SYS(process_vm_writev),
                 SCMP_SYS(kill),
                 SCMP_SYS(pidfd_open),
                 SCMP_SYS(mount),
                 SCMP_SYS(umount2),
                 SCMP_SYS(chroot),
                 SCMP_SYS(pivot_root),
                 SCMP_SYS(unshare),
                 SCMP_SYS(setns),
                 SCMP_SYS(init_module),
                 SCMP_SYS(finit_module),
                 SCMP_SYS(bpf),
                 SCMP_SYS(perf_event_open),
                 SCMP_SYS(keyctl),
                 SCMP_SYS(add_key),
                 SCMP_SYS(io_uring_setup)})
    rule(eperm, sc);
  // Changing the file system.
  for (int sc : {SCMP_SYS(creat),
                 SCMP_SYS(unlink),
                 SCMP_SYS(unlinkat),
                 SCMP_SYS(rename),
                 SCMP_SYS(renameat),
                 SCMP_SYS(renameat2),
                 SCMP_SYS(mkdir),
                 SCMP_SYS(mkdirat),
                 SCMP_SYS(rmdir),
                 SCMP_SYS(link),
                 SCMP_SYS(linkat),
                 SCMP_SYS(symlink),
                 SCMP_SYS(symlinkat),
                 SCMP_SYS(chmod),
                 SCMP_SYS(fchmod),
                 SCMP_SYS(fchmodat),
                 SCMP_SYS(chown),
                 SCMP_SYS(fchown),
                 SCMP_SYS(lchown),
                 SCMP_SYS(fchownat),
                 SCMP_SYS(truncate),
                 SCMP_SYS(ftruncate),
                 SCMP_SYS(mknod),
                 SCMP_SYS(mknodat),
                 SCMP_SYS(utimensat),
                 SCMP_SYS(utimes),
                 SCMP_SYS(futimesat),
                 SCMP_SYS(setxattr),
                 SCMP_SYS(fsetxattr),
                 SCMP_SYS(lsetxattr),
                 SCMP_SYS(removexattr),
                 SCMP_SYS(fremovexattr),
                 SCMP_SYS(lremovexattr),
                 SCMP_SYS(open_by_handle_at),
                 SCMP_SYS(name_to_handle_at)})
    rule(eacces, sc);
  // open/openat: allowed read-only only. openat2 is refused with ENOSYS so libraries fall back to openat.
  for (int flag : {O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_TMPFILE}) {
    scmp_arg_cmp open_cmp =
        SCMP_A1(SCMP_CMP_MASKED_EQ, static_cast<scmp_datum_t>(flag), static_cast<scmp_datum_t>(flag));
    scmp_arg_cmp openat_cmp =
        SCMP_A2(SCMP_CMP_MASKED_EQ, static_cast<scmp_datum_t>(flag), static_cast<scmp_datum_t>(flag));
    rule(eacces, SCMP_SYS(open), 1, &open_cmp);
    rule(eacces, SCMP_SYS(openat), 1, &openat_cmp);
  }
  rule(SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2));
  if (failure.empty() && seccomp_load(ctx) != 0)
    failure = "seccomp_load failed (is seccomp available in this kernel?)";
  seccomp_release(ctx);
  return failure;
}

}  // namespace

bool enter_worker_process() {
  ::close_range(3, ~0U, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() == 1) return false;
  ::signal(SIGPIPE, SIG_IGN);
  return true;
}

bool sanitizer_build() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

std::string confine_process(uint64_t memory_bytes, unsigned cpu_seconds) {
  // ASan and TSan reserve terabytes of address space for their shadow; an address-space limit would kill
  // them at once.
  std::string failure;
  if (!sanitizer_build()) failure = set_limit(RLIMIT_AS, memory_bytes, memory_bytes);
  // SIGXCPU at the soft limit, SIGKILL at the hard one.
  if (failure.empty()) failure = set_limit(RLIMIT_CPU, cpu_seconds, cpu_seconds + 5);
  if (failure.empty()) failure = set_limit(RLIMIT_FSIZE, 0, 0);
  if (failure.empty()) failure = set_limit(RLIMIT_CORE, 0, 0);
  if (failure.empty()) failure = install_seccomp();
  return failure;
}

}  // namespace kanshiki::sandbox
