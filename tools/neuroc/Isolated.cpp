//===- Isolated.cpp - Work on untrusted files in a child process ----------===//

#include "Isolated.h"

#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

int neuro::runIsolated(const std::function<int()> &work,
                       const std::string &file, unsigned limitSeconds) {
  // What is buffered now must not be written twice.
  llvm::outs().flush();
  llvm::errs().flush();
  std::fflush(nullptr);
  // An ignored SIGCHLD (inherited) would have the child reaped unseen.
  struct sigaction dfl = {}, old = {};
  dfl.sa_handler = SIG_DFL;
  ::sigemptyset(&dfl.sa_mask);
  ::sigaction(SIGCHLD, &dfl, &old);
  pid_t child = ::fork();
  if (child < 0) {
    ::sigaction(SIGCHLD, &old, nullptr);
    return work();
  }
  if (child == 0) {
    if (limitSeconds)
      ::alarm(limitSeconds);
    int rc = work();
    llvm::outs().flush();
    llvm::errs().flush();
    std::fflush(nullptr);
    ::_exit(rc);
  }
  int status = 0;
  int waited;
  while ((waited = ::waitpid(child, &status, 0)) < 0 && errno == EINTR) {
  }
  ::sigaction(SIGCHLD, &old, nullptr);
  if (waited < 0) {
    llvm::errs() << "neuroc: error: '" << file
                 << "': the process reading it was lost: "
                 << std::strerror(errno) << "\n";
    return 1;
  }
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  llvm::errs() << "neuroc: error: '" << file << "': ";
  if (sig == SIGALRM)
    llvm::errs() << "reading it took more than " << limitSeconds
                 << " s: the HDF5 library is caught in a loop (is the "
                    "file damaged?)\n";
  else
    llvm::errs() << "reading it crashed the HDF5 library (" << strsignal(sig)
                 << "): the file is damaged or not what it claims to be\n";
  return 1;
}
