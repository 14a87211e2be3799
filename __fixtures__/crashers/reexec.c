/* A child that re-executes itself through /proc/self/exe under another argv[0], then crashes:
 * its comm becomes "exe", so only /proc/PID/exe names the real binary. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void second_stage(char *where) {
  where[0] = 'x'; /* crash-here */
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--stage2") == 0) {
    second_stage((char *)0x1234);
    return 0;
  }
  pid_t child = fork();
  if (child == 0) {
    char *args[] = {"renamed-argv0", "--stage2", "extra arg with spaces", NULL};
    execv("/proc/self/exe", args);
    return 127;
  }
  int status = 0;
  waitpid(child, &status, 0);
  return 0;
}
