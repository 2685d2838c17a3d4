// Which functions of a fixed-address executable run: every listed entry point gets a breakpoint (int3), taken out at
// its first hit, and the entry is written down in the order of first hits. Used by profile.sh to lay out tend's
// hot methods (src/Tend/hot-methods.txt); a development tool, not part of Tend.
//
//   trace ENTRIES OUT -- PROGRAM [ARGS...]      ENTRIES: hex addresses, one a line; OUT: those that ran, in order
//
// Threads are followed (PTRACE_O_TRACECLONE); every other signal is passed on as it came. Two threads reaching the
// same entry before its byte is restored both stop; the second finds it restored and simply goes on.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long *entries;
static unsigned char *saved;
static unsigned char *taken;
static size_t count;

static int by_address(const void *a, const void *b)
{
  unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
  return x < y ? -1 : x > y;
}

static long entry_at(unsigned long address)
{
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (entries[mid] < address) lo = mid + 1; else hi = mid;
  }
  return lo < count && entries[lo] == address ? (long)lo : -1;
}

// Replaces the byte at ADDRESS with BYTE, returning the one that was there.
static unsigned char set_byte(pid_t pid, unsigned long address, unsigned char byte)
{
  errno = 0;
  long word = ptrace(PTRACE_PEEKTEXT, pid, (void *)address, 0);
  if (errno != 0) { perror("trace: PTRACE_PEEKTEXT"); exit(3); }
  unsigned char old = (unsigned char)(word & 0xff);
  word = (word & ~0xffL) | byte;
  if (ptrace(PTRACE_POKETEXT, pid, (void *)address, (void *)word) < 0) { perror("trace: PTRACE_POKETEXT"); exit(3); }
  return old;
}

int main(int argc, char **argv)
{
  if (argc < 5 || argv[3][0] != '-' || argv[3][1] != '-') {
    fprintf(stderr, "usage: trace ENTRIES OUT -- PROGRAM [ARGS...]\n");
    return 2;
  }
  FILE *in = fopen(argv[1], "r");
  if (in == NULL) { perror(argv[1]); return 2; }
  size_t capacity = 1 << 16;
  entries = malloc(capacity * sizeof *entries);
  unsigned long address;
  while (fscanf(in, "%lx", &address) == 1) {
    if (count == capacity) entries = realloc(entries, (capacity *= 2) * sizeof *entries);
    entries[count++] = address;
  }
  fclose(in);
  qsort(entries, count, sizeof *entries, by_address);
  saved = malloc(count);
  taken = calloc(count, 1);
  FILE *out = fopen(argv[2], "w");
  if (out == NULL) { perror(argv[2]); return 2; }

  pid_t child = fork();
  if (child == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    execv(argv[4], argv + 4);
    perror(argv[4]);
    _exit(127);
  }
  int status;
  waitpid(child, &status, 0);
  ptrace(PTRACE_SETOPTIONS, child, 0, (void *)(PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
  ptrace(PTRACE_CONT, child, 0, 0);
  waitpid(child, &status, 0);
  if (!WIFSTOPPED(status) || status >> 8 != (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
    fprintf(stderr, "trace: %s did not start\n", argv[4]);
    return 2;
  }
  // The kernel has mapped the executable; nothing of it has run yet.
  for (size_t i = 0; i < count; i++) saved[i] = set_byte(child, entries[i], 0xcc);
  ptrace(PTRACE_CONT, child, 0, 0);

  size_t hits = 0;
  int exit_code = 0;
  for (;;) {
    pid_t pid = waitpid(-1, &status, __WALL);
    if (pid < 0) break;
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      if (pid == child) exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      continue;
    }
    if (!WIFSTOPPED(status)) continue;
    int signal = WSTOPSIG(status);
    if (status >> 16 != 0 || signal == SIGSTOP) {
      // A ptrace event (a new thread) or a new thread's first stop.
      ptrace(PTRACE_CONT, pid, 0, 0);
      continue;
    }
    if (signal == SIGTRAP) {
      struct user_regs_struct regs;
      ptrace(PTRACE_GETREGS, pid, 0, &regs);
      long i = entry_at(regs.rip - 1);
      if (i >= 0) {
        if (!taken[i]) {
          taken[i] = 1;
          set_byte(pid, entries[i], saved[i]);
          fprintf(out, "%lx\n", entries[i]);
          hits++;
        }
        regs.rip -= 1;
        ptrace(PTRACE_SETREGS, pid, 0, &regs);
        ptrace(PTRACE_CONT, pid, 0, 0);
        continue;
      }
    }
    ptrace(PTRACE_CONT, pid, 0, (void *)(long)signal);
  }
  fclose(out);
  fprintf(stderr, "trace: %zu of %zu functions ran; exit code %d\n", hits, count, exit_code);
  return exit_code;
}
