/* UndefinedBehaviorSanitizer, recovering (the default): a signed overflow and a misaligned
 * store, each printed once per process, and the program goes on to exit 0. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) static int add_weights(int total, int weight) {
  return total + weight; /* overflow-here */
}
__attribute__((noinline)) static void store_header(char *buffer, int value) {
  int *field = (int *)(buffer + 1);
  *field = value; /* misaligned-here */
}

int main(int argc, char **argv) {
  char buffer[16];
  memset(buffer, 0, sizeof buffer);
  int total = INT_MAX - 1;
  for (int i = 0; i < 3; i++) total = add_weights(total, argc + i);
  store_header(buffer, total);
  printf("done %d %d\n", total, buffer[1]);
  return argv[0] == NULL;
}
