/* A failed assert(): SIGABRT raised inside libc, four runtime frames above the user's code. */
#include <assert.h>

static void check_invariant(int count) {
  assert(count >= 0); /* crash-here */
}

int main(void) {
  check_invariant(-1);
  return 0;
}
