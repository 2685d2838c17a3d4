/*
 * What one render commit does to the disk, without Tend around it: create a staged file beside the
 * destination (exclusively, or as an O_TMPFILE linked after its fsync), write a few bytes, fsync it,
 * hold the destination open and rename the staged file over it. Prints the fsync's and the whole
 * commit's p50 and p90 in ms. Used with the block layer's trace points (docs/benchmarks.md):
 *
 *   gcc -O2 -o commit-probe bench/commit-probe/commit-probe.c
 *   perf record -e block:block_rq_issue,block:block_rq_complete,syscalls:sys_enter_fsync,syscalls:sys_exit_fsync \
 *     -a -- ./commit-probe 0|1 COUNT DIR        # 0: created in DIR, 1: O_TMPFILE
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s 0|1 COUNT DIR (0: staged file created in DIR, 1: O_TMPFILE)\n", argv[0]);
        return 2;
    }
    int tmpfile = atoi(argv[1]), count = atoi(argv[2]);
    const char *dir = argv[3];
    char dest[4096], staged[4096], text[64];
    snprintf(dest, sizeof dest, "%s/dest", dir);
    double *fsyncs = calloc(count, sizeof *fsyncs), *commits = calloc(count, sizeof *commits);
    for (int i = 0; i < count; i++) {
        int len = snprintf(text, sizeof text, "a=v%d\n", i);
        snprintf(staged, sizeof staged, "%s/.dest.stage%d", dir, i);
        double start = now_ms();
        int fd = tmpfile ? open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644)
                         : open(staged, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, text, len) != len) {
            perror("stage");
            return 1;
        }
        double before = now_ms();
        if (fsync(fd) != 0) {
            perror("fsync");
            return 1;
        }
        fsyncs[i] = now_ms() - before;
        if (tmpfile) {
            char proc[64];
            snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
            if (linkat(AT_FDCWD, proc, AT_FDCWD, staged, AT_SYMLINK_FOLLOW) != 0) {
                perror("linkat");
                return 1;
            }
        }
        close(fd);
        int held = open(dest, O_PATH | O_CLOEXEC);
        if (rename(staged, dest) != 0) {
            perror("rename");
            return 1;
        }
        commits[i] = now_ms() - start;
        if (held >= 0)
            close(held);
        usleep(20000);
    }
    qsort(fsyncs, count, sizeof *fsyncs, by_value);
    qsort(commits, count, sizeof *commits, by_value);
    printf("%s: fsync p50 %.3f p90 %.3f ms; commit p50 %.3f p90 %.3f ms\n", tmpfile ? "O_TMPFILE" : "created",
           fsyncs[count / 2], fsyncs[count * 9 / 10], commits[count / 2], commits[count * 9 / 10]);
    return 0;
}
