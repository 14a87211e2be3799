/* A project panic helper that calls abort(), as HAProxy's ha_panic does: with skip-frames naming
 * the helper, the blame goes to the function that panicked. */
#include <stdio.h>
#include <stdlib.h>

void ha_panic(const char *why) {
  fprintf(stderr, "panic: %s\n", why);
  abort(); /* panic-here */
}

static void process_stream(int state) {
  if (state != 0) ha_panic("bad state"); /* crash-here */
}

int main(void) {
  process_stream(3);
  return 0;
}
