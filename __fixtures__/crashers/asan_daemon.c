/* An AddressSanitizer-built daemon: the parent forks a worker and exits at once; the worker
 * waits, then hits a use-after-free after its step is over. */
#include <stdlib.h>
#include <unistd.h>

__attribute__((noinline)) static int worker_job(int *slot) { return *slot; /* crash-here */ }

int main(void) {
  if (fork() != 0) return 0;
  setsid();
  usleep(300 * 1000);
  int *slot = malloc(sizeof *slot);
  free(slot);
  return worker_job(slot);
}
