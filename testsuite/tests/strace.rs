//! `VMTRANS_STRACE=1`: a translated program logs each system call with decoded arguments and its result
//! on stderr, in qemu's `-strace` style. The guest below makes calls whose lines are known from the
//! system-call man pages (an `openat` of a missing file fails with ENOENT, `write` returns its count, a
//! thread's `exit` and the final `exit_group` are shown once, without a result) or from glibc's source
//! (the flags pthread_create passes to clone and mmap); the test checks those lines, and that the
//! program's own output is unchanged by tracing.

use std::fs;
use std::process::Command;
use std::time::Duration;

use vmtrans_testsuite::{compile_c, find_in_path, require_vmtrans, run_with_limit, ScratchDir, GUEST_CC};

const GUEST: &str = r#"
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static void *thread_main(void *argument) { return argument; }
int main(void) {
    int fd = open("/nonexistent/vmtrans-strace", O_RDONLY);
    write(1, "hello\n", 6);
    pthread_t thread;
    pthread_create(&thread, NULL, thread_main, NULL);
    pthread_join(thread, NULL);
    close(-5);
    return fd == -1 ? 3 : 4;
}
"#;

#[test]
fn strace_lines_show_decoded_calls_and_results() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    assert!(find_in_path(GUEST_CC).is_some(), "{GUEST_CC} is needed");
    let scratch = ScratchDir::new("strace").expect("a scratch directory");
    let dir = scratch.path();
    let source = dir.join("traced.c");
    fs::write(&source, GUEST).expect("the source is writable");
    let guest = dir.join("traced.aarch64");
    compile_c(GUEST_CC, &["-static", "-O2", "-pthread"], &source, &guest);
    let translated = dir.join("traced.native");
    let status =
        Command::new(&vmtrans).arg(&guest).args(["-O0", "-o"]).arg(&translated).status().expect("vmtrans runs");
    assert!(status.success(), "vmtrans failed");

    let mut command = Command::new(&translated);
    command.env("VMTRANS_STRACE", "1");
    let run = run_with_limit(command, b"", Duration::from_secs(60)).expect("the program runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status, 3, "stderr: {stderr}");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "hello\n");

    let lines: Vec<&str> = stderr.lines().collect();
    let has = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    assert!(
        has(r#" openat(AT_FDCWD,"/nonexistent/vmtrans-strace",O_RDONLY,0o0) = -1 errno=2 (No such file or directory)"#),
        "{stderr}"
    );
    assert!(lines.iter().any(|line| line.contains(" write(1,0x") && line.ends_with(",6) = 6")), "{stderr}");
    assert!(has(" close(-5) = -1 errno=9 (Bad file descriptor)"), "{stderr}");
    // Flags by name, with the values glibc 2.36 passes (createthread.c's clone flags; allocate_stack's
    // mapping; the signal mask pthread_create blocks and restores around the clone).
    assert!(
        has(" clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|\
             CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID,0x"),
        "{stderr}"
    );
    assert!(has(",MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK,-1,0x0) = 0x"), "{stderr}");
    assert!(has(" rt_sigprocmask(SIG_BLOCK,0x") && has(" rt_sigprocmask(SIG_SETMASK,0x"), "{stderr}");
    // Each exit is shown once, before it runs, and without a result.
    let exits: Vec<&&str> = lines.iter().filter(|line| line.contains(" exit(")).collect();
    assert_eq!(exits.len(), 1, "{stderr}");
    assert!(exits[0].ends_with(" exit(0)"), "{stderr}");
    let exit_groups: Vec<&&str> = lines.iter().filter(|line| line.contains(" exit_group(")).collect();
    assert_eq!(exit_groups.len(), 1, "{stderr}");
    assert!(exit_groups[0].ends_with(" exit_group(3)"), "{stderr}");
    // Every line starts with the process id.
    let pid = lines[0].split(' ').next().unwrap_or("");
    assert!(!pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()), "{stderr}");
}
