#ifndef C_FARAD_SHIMS_H
#define C_FARAD_SHIMS_H

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec atomically (Linux; plain pipe elsewhere).
int farad_pipe_cloexec(int fds[2]);

/// accept4(fd, NULL, NULL, SOCK_CLOEXEC): the connection is close-on-exec atomically.
int farad_accept_cloexec(int fd);

/// Makes each of `signals` write its number (one byte) to a pipe, from a handler that does
/// nothing else (async-signal-safe), whichever thread the kernel picks; returns the pipe's read
/// end (close-on-exec), or -1 with errno set. One pipe per process: later calls reuse it.
int farad_signal_pipe(const int *signals, int count);

#endif
