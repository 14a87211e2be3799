/* Double-forks into a daemon that outlives the step which started it, then crashes. */
#include <stdlib.h>
#include <unistd.h>

static void daemon_work(volatile int *config) {
  usleep(300 * 1000);
  *config = 1; /* crash-here */
}

int main(void) {
  if (fork() != 0) return 0;
  setsid();
  if (fork() != 0) _exit(0);
  close(0);
  close(1);
  close(2);
  daemon_work(NULL);
  return 0;
}
