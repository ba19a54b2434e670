/* System V shared memory, semaphores and message queues, and POSIX message queues: a segment attached twice
 * (two addresses, one memory) and in a forked child, shmdt, IPC_STAT of each object (sizes, counts), semaphore
 * values set one by one and all at once, semop with a child waiting for the parent, message types picked by
 * msgrcv, and a POSIX queue's attributes and priorities. Every object is private and removed at the end. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

static void shared_memory(void) {
    int id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
    if (id < 0) {
        printf("shmget failed\n");
        return;
    }
    char *first = shmat(id, NULL, 0);
    char *second = shmat(id, NULL, 0);
    printf("shm: attached twice %s, at different addresses %s\n",
           first != (void *)-1 && second != (void *)-1 ? "yes" : "no", first != second ? "yes" : "no");
    strcpy(first, "written through the first address");
    printf("shm: second sees \"%s\"\n", second);
    struct shmid_ds info;
    shmctl(id, IPC_STAT, &info);
    printf("shm: size %zu, attachments %lu\n", (size_t)info.shm_segsz, (unsigned long)info.shm_nattch);
    pid_t child = fork();
    if (child == 0) {
        char *mine = shmat(id, NULL, 0);
        strcpy(mine + 5000, "from the child");
        shmdt(mine);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    printf("shm: parent sees \"%s\"\n", first + 5000);
    int detached = shmdt(second);
    int again = shmdt(second);
    int again_errno = errno;
    printf("shm: shmdt %d, again %d (%s)\n", detached, again, again_errno == EINVAL ? "EINVAL" : "other");
    shmctl(id, IPC_STAT, &info);
    printf("shm: attachments now %lu\n", (unsigned long)info.shm_nattch);
    char *readonly = shmat(id, NULL, SHM_RDONLY);
    printf("shm: read-only view sees \"%.7s\"\n", readonly);
    shmdt(readonly);
    shmdt(first);
    printf("shm: removed %d\n", shmctl(id, IPC_RMID, NULL));
}

static void semaphores(void) {
    int id = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
    if (id < 0) {
        printf("semget failed\n");
        return;
    }
    union semun arg;
    arg.val = 5;
    semctl(id, 1, SETVAL, arg);
    printf("sem: value of 1 is %d\n", semctl(id, 1, GETVAL));
    unsigned short all[3] = {7, 8, 9};
    arg.array = all;
    semctl(id, 0, SETALL, arg);
    unsigned short back[3] = {0, 0, 0};
    arg.array = back;
    semctl(id, 0, GETALL, arg);
    printf("sem: all %u %u %u\n", back[0], back[1], back[2]);
    struct semid_ds info;
    arg.buf = &info;
    semctl(id, 0, IPC_STAT, arg);
    printf("sem: nsems %lu, mode %o\n", (unsigned long)info.sem_nsems, info.sem_perm.mode & 0777);
    info.sem_perm.mode = 0640;
    semctl(id, 0, IPC_SET, arg);
    semctl(id, 0, IPC_STAT, arg);
    printf("sem: mode after IPC_SET %o, nsems still %lu\n", info.sem_perm.mode & 0777, (unsigned long)info.sem_nsems);
    arg.val = 0;
    semctl(id, 2, SETVAL, arg);
    pid_t child = fork();
    if (child == 0) {
        struct sembuf wait_for_parent = {2, -1, 0};
        semop(id, &wait_for_parent, 1);
        _exit(semctl(id, 0, GETVAL) == 7 ? 0 : 1);
    }
    struct sembuf release = {2, 1, 0};
    semop(id, &release, 1);
    int status = 0;
    waitpid(child, &status, 0);
    printf("sem: child woke and exited %d\n", WEXITSTATUS(status));
    struct sembuf would_block = {2, -1, IPC_NOWAIT};
    int waited = semop(id, &would_block, 1);
    printf("sem: empty wait %d (%s)\n", waited, errno == EAGAIN ? "EAGAIN" : "other");
    printf("sem: removed %d\n", semctl(id, 0, IPC_RMID));
}

struct message {
    long type;
    char text[32];
};

static void message_queues(void) {
    int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    struct message out = {3, "type three"};
    msgsnd(id, &out, strlen(out.text) + 1, 0);
    out.type = 1;
    strcpy(out.text, "type one");
    msgsnd(id, &out, strlen(out.text) + 1, 0);
    struct msqid_ds info;
    msgctl(id, IPC_STAT, &info);
    printf("msg: %lu messages queued\n", (unsigned long)info.msg_qnum);
    struct message in;
    ssize_t n = msgrcv(id, &in, sizeof in.text, 3, 0);
    printf("msg: type 3 gives \"%s\" (%zd bytes)\n", in.text, n);
    n = msgrcv(id, &in, sizeof in.text, 0, 0);
    printf("msg: next gives type %ld \"%s\"\n", in.type, in.text);
    n = msgrcv(id, &in, sizeof in.text, 0, IPC_NOWAIT);
    int empty_errno = errno;
    printf("msg: empty queue %zd (%s)\n", n, empty_errno == ENOMSG ? "ENOMSG" : "other");
    printf("msg: removed %d\n", msgctl(id, IPC_RMID, NULL));
}

static void posix_queues(void) {
    char name[64];
    snprintf(name, sizeof name, "/vmtrans-mq-%d", (int)getpid());
    struct mq_attr attr = {0, 4, 64, 0};
    mqd_t queue = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    if (queue == (mqd_t)-1) {
        printf("mq: unavailable or consistent\n");
        return;
    }
    mq_send(queue, "low", 4, 1);
    mq_send(queue, "high", 5, 9);
    struct mq_attr now;
    mq_getattr(queue, &now);
    printf("mq: maxmsg %ld msgsize %ld curmsgs %ld\n", now.mq_maxmsg, now.mq_msgsize, now.mq_curmsgs);
    char buffer[64];
    unsigned priority = 0;
    mq_receive(queue, buffer, sizeof buffer, &priority);
    printf("mq: first \"%s\" priority %u\n", buffer, priority);
    mq_receive(queue, buffer, sizeof buffer, &priority);
    printf("mq: second \"%s\" priority %u\n", buffer, priority);
    mq_close(queue);
    printf("mq: unlinked %d\n", mq_unlink(name));
}

int main(void) {
    shared_memory();
    semaphores();
    message_queues();
    posix_queues();
    return 0;
}
