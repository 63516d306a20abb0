// GNU extensions Swift's Glibc module does not expose: creating descriptors close-on-exec
// atomically, so a child started by another thread at the same moment cannot inherit them.
#define _GNU_SOURCE
#include "CFaradShims.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

int farad_pipe_cloexec(int fds[2]) {
#ifdef __linux__
    return pipe2(fds, O_CLOEXEC);
#else
    return pipe(fds);
#endif
}

int farad_accept_cloexec(int fd) {
#ifdef __linux__
    return accept4(fd, NULL, NULL, SOCK_CLOEXEC);
#else
    return accept(fd, NULL, NULL);
#endif
}
