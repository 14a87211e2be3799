/* A master that forks argv[1] idle workers (20 by default) and exits: the workers wait for
 * work that never comes until they are killed. */
#include <stdlib.h>
#include <unistd.h>

__attribute__((noinline)) static void wait_for_work(void) {
  for (;;) pause(); /* idle-here */
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20;
  for (int i = 0; i < n; i++)
    if (fork() == 0) {
      wait_for_work();
      return 0;
    }
  return 0;
}
