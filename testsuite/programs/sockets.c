/* Sockets: AF_UNIX socketpairs (stream and datagram); sendmsg/recvmsg with several iovecs; SCM_RIGHTS passing a
 * pipe end and a file, both used afterwards; MSG_PEEK and MSG_DONTWAIT; a named AF_UNIX stream socket in the cwd
 * served by a forked echo child (accept4 with SOCK_CLOEXEC, shutdown and EOF); TCP and UDP over 127.0.0.1 with
 * getsockname/getpeername; socket options (SO_REUSEADDR, SO_TYPE, SO_ERROR, SO_RCVTIMEO, TCP_NODELAY);
 * sendmmsg/recvmmsg; and the errors ENOTSOCK, EBADF, EFAULT and EAFNOSUPPORT. Only facts that do not depend on
 * the machine (no pids, ports or descriptor numbers) are printed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* The name of an errno value, so that the output does not depend on the C library's strerror texts. */
static const char *errno_name(int error) {
    static const struct {
        int number;
        const char *name;
    } names[] = {{0, "0"},           {EAGAIN, "EAGAIN"},     {EBADF, "EBADF"},
                 {EFAULT, "EFAULT"}, {EINVAL, "EINVAL"},     {ENOTSOCK, "ENOTSOCK"},
                 {EPIPE, "EPIPE"},   {EAFNOSUPPORT, "EAFNOSUPPORT"}, {ECONNREFUSED, "ECONNREFUSED"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].number == error)
            return names[i].name;
    return "other";
}

static void check(int condition, const char *what) {
    if (!condition) {
        printf("FAILED: %s (errno %s)\n", what, errno_name(errno));
        exit(1);
    }
}

/* Reads exactly `length` bytes unless EOF comes first; returns the number read. */
static size_t read_full(int fd, char *buffer, size_t length) {
    size_t done = 0;
    while (done < length) {
        ssize_t got = read(fd, buffer + done, length - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        done += (size_t)got;
    }
    return done;
}

/* 1. Stream and datagram socketpairs: bytes flow both ways, and datagrams keep their boundaries. */
static void test_socketpairs(void) {
    int pair[2];
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0, "socketpair stream");
    char buffer[64] = {0};
    ssize_t sent = write(pair[0], "hello", 5);
    ssize_t got = read(pair[1], buffer, sizeof buffer);
    ssize_t back = write(pair[1], "world!", 6);
    char reply[16] = {0};
    ssize_t got_back = read(pair[0], reply, sizeof reply);
    printf("stream pair: sent %zd got %zd \"%s\", back %zd got %zd \"%s\"\n", sent, got, buffer, back, got_back, reply);
    close(pair[0]);
    close(pair[1]);

    check(socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) == 0, "socketpair dgram");
    send(pair[0], "abc", 3, 0);
    send(pair[0], "defgh", 5, 0);
    send(pair[0], "ijklmnop", 8, 0);
    printf("dgram pair sizes:");
    for (int i = 0; i < 3; i++)
        printf(" %zd", recv(pair[1], buffer, sizeof buffer, 0));
    /* A datagram longer than the buffer is cut short, and the rest is lost. */
    send(pair[0], "0123456789", 10, 0);
    memset(buffer, 0, sizeof buffer);
    ssize_t cut = recv(pair[1], buffer, 4, 0);
    ssize_t after = recv(pair[1], buffer + 8, 4, MSG_DONTWAIT);
    printf(", truncated %zd \"%.4s\", then %zd %s\n", cut, buffer, after, errno_name(errno));
    close(pair[0]);
    close(pair[1]);
}

/* 2. sendmsg with three iovecs, recvmsg scattering into two; MSG_PEEK; MSG_DONTWAIT on an empty socket. */
static void test_msg_iovecs(void) {
    int pair[2];
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0, "socketpair");
    struct iovec out[3] = {{"abc", 3}, {"defgh", 5}, {"ij", 2}};
    struct msghdr message = {.msg_iov = out, .msg_iovlen = 3};
    ssize_t sent = sendmsg(pair[0], &message, 0);
    char first[4], second[10] = {0};
    struct iovec in[2] = {{first, sizeof first}, {second, sizeof second}};
    struct msghdr incoming = {.msg_iov = in, .msg_iovlen = 2};
    ssize_t got = recvmsg(pair[1], &incoming, 0);
    printf("sendmsg %zd, recvmsg %zd: \"%.4s\" + \"%s\", flags %d\n", sent, got, first, second, incoming.msg_flags);

    send(pair[0], "peekaboo", 8, 0);
    char peeked[16] = {0}, taken[16] = {0};
    ssize_t peek = recv(pair[1], peeked, 4, MSG_PEEK);
    ssize_t take = recv(pair[1], taken, sizeof taken, 0);
    printf("MSG_PEEK %zd \"%s\", then recv %zd \"%s\"\n", peek, peeked, take, taken);
    ssize_t empty = recv(pair[1], taken, sizeof taken, MSG_DONTWAIT);
    printf("MSG_DONTWAIT on empty: %zd %s\n", empty, errno_name(errno));
    close(pair[0]);
    close(pair[1]);
}

/* 3. SCM_RIGHTS: the write end of a pipe and an open file travel over a socketpair; the received descriptors are
 * new numbers for the same open files. */
static void test_scm_rights(void) {
    int pair[2], pipe_fds[2];
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0, "socketpair");
    check(pipe(pipe_fds) == 0, "pipe");
    int file = open("vt-sockets-scm.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);
    check(file >= 0, "open");
    unlink("vt-sockets-scm.tmp");
    check(write(file, "file contents", 13) == 13, "write file");

    int passed[2] = {pipe_fds[1], file};
    union {
        char bytes[CMSG_SPACE(sizeof passed)];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct iovec payload = {"F", 1};
    struct msghdr message = {.msg_iov = &payload, .msg_iovlen = 1, .msg_control = control.bytes,
                             .msg_controllen = sizeof control.bytes};
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof passed);
    memcpy(CMSG_DATA(header), passed, sizeof passed);
    ssize_t sent = sendmsg(pair[0], &message, 0);

    union {
        char bytes[CMSG_SPACE(sizeof passed)];
        struct cmsghdr align;
    } received_control;
    memset(&received_control, 0, sizeof received_control);
    char byte = 0;
    struct iovec in = {&byte, 1};
    struct msghdr incoming = {.msg_iov = &in, .msg_iovlen = 1, .msg_control = received_control.bytes,
                              .msg_controllen = sizeof received_control.bytes};
    ssize_t got = recvmsg(pair[1], &incoming, 0);
    struct cmsghdr *first = CMSG_FIRSTHDR(&incoming);
    int received[2] = {-1, -1};
    int header_ok = first && first->cmsg_level == SOL_SOCKET && first->cmsg_type == SCM_RIGHTS &&
                    first->cmsg_len == CMSG_LEN(sizeof received) && CMSG_NXTHDR(&incoming, first) == NULL;
    if (header_ok)
        memcpy(received, CMSG_DATA(first), sizeof received);
    printf("SCM_RIGHTS: sent %zd got %zd byte %c, header ok %d, controllen ok %d, new numbers %d\n", sent, got, byte,
           header_ok, incoming.msg_controllen == CMSG_SPACE(sizeof passed),
           received[0] != pipe_fds[1] && received[1] != file && received[0] >= 0 && received[1] >= 0);

    /* The received pipe end writes into the original pipe; the received file shares the original's offset. */
    close(pipe_fds[1]);
    check(write(received[0], "via pipe", 8) == 8, "write received pipe");
    close(received[0]);
    char pipe_data[16] = {0};
    size_t pipe_got = read_full(pipe_fds[0], pipe_data, sizeof pipe_data - 1);
    off_t shared_offset = lseek(received[1], 0, SEEK_CUR);
    char file_data[16] = {0};
    ssize_t file_got = pread(received[1], file_data, sizeof file_data - 1, 0);
    printf("received pipe end: %zu \"%s\" then EOF; received file: offset %lld, pread %zd \"%s\"\n", pipe_got,
           pipe_data, (long long)shared_offset, file_got, file_data);
    close(received[1]);
    close(file);
    close(pipe_fds[0]);
    close(pair[0]);
    close(pair[1]);
}

/* 4. A named AF_UNIX stream socket in the cwd: a forked child accepts (accept4 with SOCK_CLOEXEC) and echoes
 * upper-cased lines until EOF, then sends "bye" and exits with a status that reports what it saw. */
static void unix_echo_server(int listener) {
    int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (connection < 0)
        _exit(10);
    int flags = fcntl(connection, F_GETFD);
    int status = (flags >= 0 && (flags & FD_CLOEXEC)) ? 0 : 20;
    char buffer[64];
    ssize_t got;
    int rounds = 0;
    while ((got = read(connection, buffer, sizeof buffer)) > 0) {
        for (ssize_t i = 0; i < got; i++)
            if (buffer[i] >= 'a' && buffer[i] <= 'z')
                buffer[i] -= 32;
        if (write(connection, buffer, (size_t)got) != got)
            _exit(11);
        rounds++;
    }
    if (write(connection, "bye", 3) != 3)
        _exit(12);
    close(connection);
    _exit(status + (rounds > 0 ? 0 : 30));
}

static void test_named_unix(void) {
    const char *path = "vt-sockets.sock";
    unlink(path);
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strcpy(address.sun_path, path);
    check(bind(listener, (struct sockaddr *)&address, sizeof address) == 0, "bind unix");
    check(listen(listener, 4) == 0, "listen unix");
    fflush(stdout);
    pid_t child = fork();
    if (child == 0)
        unix_echo_server(listener);
    close(listener);

    int client = socket(AF_UNIX, SOCK_STREAM, 0);
    check(connect(client, (struct sockaddr *)&address, sizeof address) == 0, "connect unix");
    const char *lines[3] = {"first line", "second", "third and last"};
    for (int i = 0; i < 3; i++) {
        char reply[64] = {0};
        size_t length = strlen(lines[i]);
        check(write(client, lines[i], length) == (ssize_t)length, "write unix");
        size_t got = read_full(client, reply, length);
        printf("unix round %d: %zu \"%s\"\n", i + 1, got, reply);
    }
    check(shutdown(client, SHUT_WR) == 0, "shutdown");
    char tail[16] = {0};
    size_t tail_got = read_full(client, tail, sizeof tail - 1);
    int status = 0;
    waitpid(child, &status, 0);
    printf("after SHUT_WR: %zu \"%s\" then EOF; server exit %d\n", tail_got, tail,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    close(client);
    struct sockaddr_un stale = {.sun_family = AF_UNIX};
    strcpy(stale.sun_path, path);
    int late = socket(AF_UNIX, SOCK_STREAM, 0);
    int refused = connect(late, (struct sockaddr *)&stale, sizeof stale);
    printf("connect after the server is gone: %d %s\n", refused, errno_name(errno));
    close(late);
    printf("unlink socket file: %d\n", unlink(path));
}

/* 5. TCP over 127.0.0.1: the port comes from getsockname; the forked client sends its own port so that the
 * server can compare it with getpeername. */
static void test_tcp(void) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    check(setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0, "SO_REUSEADDR");
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    check(bind(listener, (struct sockaddr *)&address, sizeof address) == 0, "bind tcp");
    check(listen(listener, 4) == 0, "listen tcp");
    struct sockaddr_in bound;
    socklen_t length = sizeof bound;
    check(getsockname(listener, (struct sockaddr *)&bound, &length) == 0, "getsockname");
    printf("tcp listener: length %u family ok %d loopback %d port nonzero %d\n", length, bound.sin_family == AF_INET,
           bound.sin_addr.s_addr == htonl(INADDR_LOOPBACK), bound.sin_port != 0);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        close(listener);
        int client = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(client, (struct sockaddr *)&bound, sizeof bound) != 0)
            _exit(1);
        struct sockaddr_in mine;
        socklen_t mine_length = sizeof mine;
        getsockname(client, (struct sockaddr *)&mine, &mine_length);
        char message[32];
        int length = snprintf(message, sizeof message, "port %5u", ntohs(mine.sin_port));
        if (write(client, message, (size_t)length) != length)
            _exit(2);
        char echo[32] = {0};
        if (read_full(client, echo, (size_t)length) != (size_t)length || memcmp(echo, message, (size_t)length) != 0)
            _exit(3);
        close(client);
        _exit(0);
    }
    struct sockaddr_in peer;
    socklen_t peer_length = sizeof peer;
    int connection = accept(listener, (struct sockaddr *)&peer, &peer_length);
    check(connection >= 0, "accept tcp");
    check(setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0, "TCP_NODELAY");
    int nodelay = 0;
    socklen_t option_length = sizeof nodelay;
    getsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &nodelay, &option_length);
    char message[32] = {0};
    size_t got = read_full(connection, message, 10);
    unsigned claimed = 0;
    sscanf(message, "port %u", &claimed);
    struct sockaddr_in named_peer;
    socklen_t named_length = sizeof named_peer;
    getpeername(connection, (struct sockaddr *)&named_peer, &named_length);
    ssize_t echoed = write(connection, message, got);
    char eof;
    ssize_t end = read(connection, &eof, 1);
    int status = 0;
    waitpid(child, &status, 0);
    printf("tcp: got %zu, accept peer == getpeername %d, peer port == client's own %d, loopback %d, echoed %zd, "
           "TCP_NODELAY %d, EOF %zd, client exit %d\n",
           got, peer.sin_port == named_peer.sin_port && peer_length == named_length, ntohs(named_peer.sin_port) == claimed,
           named_peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK), echoed, nodelay != 0, end,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    close(connection);
    close(listener);
}

/* 6. UDP: recvfrom reports the sender's family, address and port. */
static void test_udp(void) {
    int sockets[2];
    struct sockaddr_in addresses[2];
    for (int i = 0; i < 2; i++) {
        sockets[i] = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in address = {.sin_family = AF_INET};
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        check(bind(sockets[i], (struct sockaddr *)&address, sizeof address) == 0, "bind udp");
        socklen_t length = sizeof addresses[i];
        getsockname(sockets[i], (struct sockaddr *)&addresses[i], &length);
    }
    ssize_t sent = sendto(sockets[0], "datagram!", 9, 0, (struct sockaddr *)&addresses[1], sizeof addresses[1]);
    char buffer[32] = {0};
    struct sockaddr_in from;
    memset(&from, 0xff, sizeof from);
    socklen_t from_length = sizeof from;
    ssize_t got = recvfrom(sockets[1], buffer, sizeof buffer, 0, (struct sockaddr *)&from, &from_length);
    char text[INET_ADDRSTRLEN] = {0};
    inet_ntop(AF_INET, &from.sin_addr, text, sizeof text);
    printf("udp: sent %zd got %zd \"%s\" from family AF_INET %d ip %s, port matches sender %d, length %u\n", sent, got,
           buffer, from.sin_family == AF_INET, text, from.sin_port == addresses[0].sin_port, from_length);
    close(sockets[0]);
    close(sockets[1]);
}

/* 7. Socket options: SO_REUSEADDR, SO_TYPE, SO_ERROR and a SO_RCVTIMEO round trip that makes a recv time out.
 * The kernel keeps the timeout in ticks, so only a tolerance on the microseconds is printed. */
static void test_sockopts(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int value = 1, got = 0;
    socklen_t length = sizeof got;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &value, sizeof value);
    getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &got, &length);
    printf("SO_REUSEADDR on %d length %u", got != 0, length);
    length = sizeof got;
    getsockopt(fd, SOL_SOCKET, SO_TYPE, &got, &length);
    printf(", SO_TYPE stream %d", got == SOCK_STREAM);
    got = -1;
    length = sizeof got;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &got, &length);
    printf(", SO_ERROR %d\n", got);
    close(fd);

    int pair[2];
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0, "socketpair");
    struct timeval timeout = {.tv_sec = 1, .tv_usec = 500000}, back = {0, 0};
    int set = setsockopt(pair[0], SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    length = sizeof back;
    int get = getsockopt(pair[0], SOL_SOCKET, SO_RCVTIMEO, &back, &length);
    long usec_error = back.tv_usec - 500000;
    printf("SO_RCVTIMEO set %d get %d length %u sec %ld usec close %d\n", set, get, length, (long)back.tv_sec,
           usec_error > -10000 && usec_error < 10000);
    struct timeval short_timeout = {.tv_sec = 0, .tv_usec = 20000};
    setsockopt(pair[0], SOL_SOCKET, SO_RCVTIMEO, &short_timeout, sizeof short_timeout);
    char byte;
    ssize_t timed_out = recv(pair[0], &byte, 1, 0);
    printf("recv past SO_RCVTIMEO: %zd %s\n", timed_out, errno_name(errno == EWOULDBLOCK ? EAGAIN : errno));
    close(pair[0]);
    close(pair[1]);
}

/* 8. sendmmsg/recvmmsg move three datagrams in one call each. */
static void test_mmsg(void) {
    int pair[2];
    check(socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) == 0, "socketpair");
    const char *texts[3] = {"one", "three", "fifteen chars!!"};
    struct iovec out[3];
    struct mmsghdr messages[3];
    memset(messages, 0, sizeof messages);
    for (int i = 0; i < 3; i++) {
        out[i].iov_base = (void *)texts[i];
        out[i].iov_len = strlen(texts[i]);
        messages[i].msg_hdr.msg_iov = &out[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int sent = sendmmsg(pair[0], messages, 3, 0);
    printf("sendmmsg %d, msg_len %u %u %u\n", sent, messages[0].msg_len, messages[1].msg_len, messages[2].msg_len);
    char buffers[3][32];
    struct iovec in[3];
    struct mmsghdr incoming[3];
    memset(incoming, 0, sizeof incoming);
    memset(buffers, 0, sizeof buffers);
    for (int i = 0; i < 3; i++) {
        in[i].iov_base = buffers[i];
        in[i].iov_len = sizeof buffers[i];
        incoming[i].msg_hdr.msg_iov = &in[i];
        incoming[i].msg_hdr.msg_iovlen = 1;
    }
    int got = recvmmsg(pair[1], incoming, 3, MSG_DONTWAIT, NULL);
    printf("recvmmsg %d:", got);
    for (int i = 0; i < got; i++)
        printf(" %u \"%s\"", incoming[i].msg_len, buffers[i]);
    printf("\n");
    close(pair[0]);
    close(pair[1]);
}

/* 9. Errors: a pipe is not a socket, a closed descriptor is bad, a wild buffer faults, a made-up family is
 * refused. */
static void test_errors(void) {
    int pipe_fds[2];
    check(pipe(pipe_fds) == 0, "pipe");
    ssize_t result = send(pipe_fds[1], "x", 1, 0);
    printf("send on a pipe: %zd %s\n", result, errno_name(errno));
    int value;
    socklen_t length = sizeof value;
    int status = getsockopt(pipe_fds[0], SOL_SOCKET, SO_TYPE, &value, &length);
    printf("getsockopt on a pipe: %d %s\n", status, errno_name(errno));
    close(pipe_fds[0]);
    close(pipe_fds[1]);

    int closed = socket(AF_UNIX, SOCK_STREAM, 0);
    close(closed);
    char byte;
    result = recv(closed, &byte, 1, 0);
    printf("recv on a closed descriptor: %zd %s\n", result, errno_name(errno));

    int pair[2];
    check(socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) == 0, "socketpair");
    send(pair[0], "data", 4, 0);
    result = recvfrom(pair[1], (void *)16, 4, 0, NULL, NULL);
    printf("recvfrom into a bad address: %zd %s\n", result, errno_name(errno));
    close(pair[0]);
    close(pair[1]);

    int bogus = socket(12345, SOCK_STREAM, 0);
    int refused = bogus < 0 && (errno == EAFNOSUPPORT || errno == EINVAL);
    printf("socket with a bogus family: %d, refused with EAFNOSUPPORT or EINVAL %d\n", bogus, refused);
}

int main(void) {
    test_socketpairs();
    test_msg_iovecs();
    test_scm_rights();
    test_named_unix();
    test_tcp();
    test_udp();
    test_sockopts();
    test_mmsg();
    test_errors();
    return 0;
}
