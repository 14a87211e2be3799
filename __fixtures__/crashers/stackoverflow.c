/* Unbounded recursion: tens of thousands of frames when the stack runs out. */
#include <stdio.h>

int recurse(int depth) {
  volatile char pad[64];
  pad[0] = (char)depth;
  return recurse(depth + 1) + pad[0]; /* crash-here */
}

int main(void) {
  printf("%d\n", recurse(0));
  return 0;
}
