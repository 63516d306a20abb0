// GNU extensions Swift's Glibc module does not expose: creating descriptors close-on-exec
// atomically, so a child started by another thread at the same moment cannot inherit them.
#define _GNU_SOURCE
#include "CFaradShims.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
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

static int farad_signal_fds[2] = {-1, -1};

static void farad_signal_handler(int sig) {
    int saved = errno;
    unsigned char byte = (unsigned char)sig;
    // Non-blocking: a full pipe (signals nobody reads yet) drops the byte, never blocks here.
    ssize_t ignored = write(farad_signal_fds[1], &byte, 1);
    (void)ignored;
    errno = saved;
}

int farad_signal_pipe(const int *signals, int count) {
    if (farad_signal_fds[0] < 0) {
        int fds[2];
        if (farad_pipe_cloexec(fds) != 0) return -1;
        int flags = fcntl(fds[1], F_GETFL);
        if (flags < 0 || fcntl(fds[1], F_SETFL, flags | O_NONBLOCK) != 0) {
            int saved = errno;
            close(fds[0]);
            close(fds[1]);
            errno = saved;
            return -1;
        }
        farad_signal_fds[0] = fds[0];
        farad_signal_fds[1] = fds[1];
    }
    for (int i = 0; i < count; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = farad_signal_handler;
        action.sa_flags = SA_RESTART;
        sigemptyset(&action.sa_mask);
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
    }
    return farad_signal_fds[0];
}
