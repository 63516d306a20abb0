#ifndef C_FARAD_SHIMS_H
#define C_FARAD_SHIMS_H

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec atomically (Linux; plain pipe elsewhere).
int farad_pipe_cloexec(int fds[2]);

/// accept4(fd, NULL, NULL, SOCK_CLOEXEC): the connection is close-on-exec atomically.
int farad_accept_cloexec(int fd);

#endif
