/* Credentials, scheduling and waitid: getres[ug]id against get[e][ug]id; setting every id to what it already is
 * (setresuid, setuid, setgid, setreuid, setregid, setfsuid); getgroups and setgroups; getpriority/setpriority;
 * the scheduler queries (policy, parameters, priority range, round-robin interval, affinity); getcpu; personality;
 * and waitid for an exited child, a killed child, WNOHANG on a running one and WNOWAIT. Everything printed is a
 * relation that holds whatever the user, the machine and its number of CPUs are. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *errno_name(int error) {
    switch (error) {
    case 0: return "0";
    case ECHILD: return "ECHILD";
    case EINVAL: return "EINVAL";
    case EPERM: return "EPERM";
    case ESRCH: return "ESRCH";
    default: return "other";
    }
}

/* 1. User and group ids: the real and effective ids agree however they are asked for, and setting them to their
 * current values succeeds for any user. */
static void test_ids(void) {
    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid;
    int uid_result = getresuid(&ruid, &euid, &suid);
    int gid_result = getresgid(&rgid, &egid, &sgid);
    printf("getresuid %d agrees %d, getresgid %d agrees %d\n", uid_result, ruid == getuid() && euid == geteuid(),
           gid_result, rgid == getgid() && egid == getegid());
    printf("setresuid(-1,-1,-1) %d, setresgid(-1,-1,-1) %d\n", setresuid(-1, -1, -1), setresgid(-1, -1, -1));
    printf("setuid(getuid()) %d, setgid(getgid()) %d\n", setuid(getuid()), setgid(getgid()));
    printf("setreuid(-1,-1) %d, setregid(-1,-1) %d\n", setreuid(-1, -1), setregid(-1, -1));
    /* setfsuid never fails visibly: it returns the previous fsuid, which follows the effective uid. */
    int fsuid = setfsuid((uid_t)-1);
    int fsgid = setfsgid((gid_t)-1);
    printf("setfsuid(-1) gives euid %d, setfsgid(-1) gives egid %d\n", (uid_t)fsuid == geteuid(),
           (gid_t)fsgid == getegid());
    uid_t ruid2, euid2, suid2;
    getresuid(&ruid2, &euid2, &suid2);
    printf("ids unchanged %d\n", ruid2 == ruid && euid2 == euid && suid2 == suid);

    int count = getgroups(0, NULL);
    gid_t *groups = calloc((size_t)(count > 0 ? count : 1), sizeof *groups);
    int listed = getgroups(count, groups);
    printf("getgroups count matches %d\n", count >= 0 && listed == count);
    if (count > 0) {
        errno = 0;
        int too_small = getgroups(count - 1 > 0 ? count - 1 : 0, groups);
        /* A size of zero only counts, so the error is checked only when the list has two or more entries. */
        printf("getgroups with a short list fails with EINVAL %d\n",
               count < 2 || (too_small == -1 && errno == EINVAL));
    } else {
        printf("getgroups with a short list fails with EINVAL 1\n");
    }
    /* Root may set its own list again; anyone else (or root without CAP_SETGID) gets EPERM. */
    errno = 0;
    int set = setgroups((size_t)listed, groups);
    int as_expected = (set == 0 && geteuid() == 0) || (set == -1 && errno == EPERM);
    printf("setgroups with the current list: succeeds for root, EPERM otherwise %d\n", as_expected);
    free(groups);
}

/* 2. Scheduling: nice goes up by one and reads back; the default policy's parameters. */
static void test_sched(void) {
    errno = 0;
    int before = getpriority(PRIO_PROCESS, 0);
    int get_ok = errno == 0;
    int wanted = before < 19 ? before + 1 : 19;
    int set = setpriority(PRIO_PROCESS, 0, wanted);
    errno = 0;
    int after = getpriority(PRIO_PROCESS, 0);
    printf("getpriority ok %d, setpriority to one more %d, reads back %d\n", get_ok, set, after == wanted && errno == 0);
    int lower = setpriority(PRIO_PROCESS, 0, wanted - 1);
    int may_lower = lower == 0 || errno == EACCES || errno == EPERM;
    printf("lowering again succeeds or is refused for lack of privilege %d\n", may_lower);
    errno = 0;
    int bad = getpriority(PRIO_PROCESS, 0x7ffffff0);
    printf("getpriority of a bad pid: %d %s\n", bad, errno_name(errno));

    printf("sched_getscheduler is SCHED_OTHER %d\n", sched_getscheduler(0) == SCHED_OTHER);
    struct sched_param param = {.sched_priority = 77};
    int result = sched_getparam(0, &param);
    printf("sched_getparam %d priority %d\n", result, param.sched_priority);
    printf("SCHED_FIFO priorities %d..%d, SCHED_RR %d..%d, SCHED_OTHER %d..%d\n", sched_get_priority_min(SCHED_FIFO),
           sched_get_priority_max(SCHED_FIFO), sched_get_priority_min(SCHED_RR), sched_get_priority_max(SCHED_RR),
           sched_get_priority_min(SCHED_OTHER), sched_get_priority_max(SCHED_OTHER));
    struct timespec interval = {-1, -1};
    result = sched_rr_get_interval(0, &interval);
    printf("sched_rr_get_interval %d, sane %d\n", result, interval.tv_sec >= 0 && interval.tv_nsec >= 0);
    result = sched_setparam(0, &param);
    printf("sched_setparam with priority 0: %d\n", result);
    printf("sched_yield %d\n", sched_yield());

    unsigned cpu = ~0u, node = ~0u;
    long getcpu = syscall(SYS_getcpu, &cpu, &node, NULL);
    long configured = sysconf(_SC_NPROCESSORS_CONF);
    printf("getcpu %ld, cpu below the configured count %d\n", getcpu, configured > 0 && (long)cpu < configured);
    cpu_set_t set_of_cpus;
    CPU_ZERO(&set_of_cpus);
    result = sched_getaffinity(0, sizeof set_of_cpus, &set_of_cpus);
    printf("sched_getaffinity %d, at least one cpu %d, includes the current one %d\n", result,
           CPU_COUNT(&set_of_cpus) >= 1, CPU_ISSET(cpu, &set_of_cpus) != 0);
    result = sched_setaffinity(0, sizeof set_of_cpus, &set_of_cpus);
    printf("sched_setaffinity with the same set %d\n", result);
    int persona = personality(0xffffffff);
    printf("personality is PER_LINUX %d\n", persona != -1 && (persona & 0xff) == PER_LINUX);
}

/* Prints what waitid reported, without the pid itself. */
static void print_waitid(const char *label, int result, const siginfo_t *info, pid_t child) {
    printf("%s: %d signo SIGCHLD %d pid ok %d code %s status %d\n", label, result, info->si_signo == SIGCHLD,
           info->si_pid == child,
           info->si_code == CLD_EXITED   ? "CLD_EXITED"
           : info->si_code == CLD_KILLED ? "CLD_KILLED"
           : info->si_code == CLD_DUMPED ? "CLD_DUMPED"
                                         : "other",
           info->si_status);
}

/* 3. waitid: a child that exits with 7 (first seen with WNOWAIT, then reaped), a paused child that is polled with
 * WNOHANG and then killed with SIGKILL, and ECHILD once nothing is left. */
static void test_waitid(void) {
    fflush(stdout);
    pid_t exiting = fork();
    if (exiting == 0)
        _exit(7);
    pid_t paused = fork();
    if (paused == 0) {
        for (;;)
            pause();
    }
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int result = waitid(P_PID, (id_t)exiting, &info, WEXITED | WNOWAIT);
    print_waitid("waitid WNOWAIT", result, &info, exiting);
    memset(&info, 0, sizeof info);
    result = waitid(P_PID, (id_t)exiting, &info, WEXITED);
    print_waitid("waitid", result, &info, exiting);

    /* The siginfo is zeroed first: with WNOHANG and nothing to report, si_pid stays 0. */
    memset(&info, 0, sizeof info);
    result = waitid(P_PID, (id_t)paused, &info, WEXITED | WNOHANG);
    printf("waitid WNOHANG on a running child: %d si_pid zero %d\n", result, info.si_pid == 0);
    kill(paused, SIGKILL);
    memset(&info, 0, sizeof info);
    result = waitid(P_PID, (id_t)paused, &info, WEXITED);
    print_waitid("waitid after SIGKILL", result, &info, paused);
    memset(&info, 0, sizeof info);
    result = waitid(P_ALL, 0, &info, WEXITED);
    printf("waitid with no children: %d %s\n", result, errno_name(errno));
}

int main(void) {
    test_ids();
    test_sched();
    test_waitid();
    return 0;
}
