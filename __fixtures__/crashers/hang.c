/* A test step that never ends: it waits for a reply that never comes. */
#include <unistd.h>

__attribute__((noinline)) static void wait_for_reply(void) {
  for (;;) pause(); /* hang-here */
}

int main(void) {
  wait_for_reply();
  return 0;
}
