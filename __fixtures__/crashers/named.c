/* Renames its thread (the comm the kernel hands to core_pattern as %e) to argv[1], then crashes. */
#include <sys/prctl.h>

static void named_crash(int *where) {
  *where = 1; /* crash-here */
}

int main(int argc, char **argv) {
  if (argc > 1) prctl(PR_SET_NAME, argv[1], 0, 0, 0);
  named_crash(0);
  return 0;
}
