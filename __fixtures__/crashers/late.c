/* Crashes after a pause, long enough for its binary to be deleted or replaced meanwhile. */
#include <unistd.h>

static void late_crash(int *where) {
  *where = 7; /* crash-here */
}

int main(void) {
  usleep(400 * 1000);
  late_crash(NULL);
  return 0;
}
