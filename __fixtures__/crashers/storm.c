/* A crash storm: forks N children (argv[1], default 200) that block on a pipe, then releases
 * them all at once; each touches a little memory and dereferences NULL. Prints how many died
 * with a core dump flag and how long until the last was reaped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void storm_crash(int *where, int i) {
  *where = i; /* crash-here */
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200;
  int gate[2];
  if (pipe(gate) != 0) return 2;
  for (int i = 0; i < n; i++) {
    if (fork() == 0) {
      char c;
      close(gate[1]);
      char *memory = malloc(1 << 20);
      memset(memory, i, 1 << 20);
      if (read(gate[0], &c, 1) < 0) return 3;
      storm_crash(NULL, i);
      return 0;
    }
  }
  close(gate[0]);
  double start = now();
  close(gate[1]); /* every child's read returns at once */
  int cored = 0, status;
  while (wait(&status) > 0) {
    if (WIFSIGNALED(status) && WCOREDUMP(status)) cored++;
  }
  printf("children=%d cored=%d reaped_after_ms=%.0f\n", n, cored, (now() - start) * 1000);
  return 0;
}
