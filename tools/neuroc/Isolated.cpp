//===- Isolated.cpp - Work on untrusted files in a child process ----------===//

#include "Isolated.h"

#include "llvm/Support/raw_ostream.h"

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
  pid_t child = ::fork();
  if (child < 0)
    return work();
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
  while (::waitpid(child, &status, 0) < 0)
    if (errno != EINTR)
      return work();
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
