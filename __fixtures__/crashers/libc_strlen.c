/* A crash inside libc (strlen of NULL): the blame goes to the user's caller, not to libc. */
#include <stdio.h>
#include <string.h>

size_t measure(const char *text) {
  return strlen(text); /* crash-here */
}

int main(int argc, char **argv) {
  (void)argv;
  printf("%zu\n", measure(argc > 5 ? "x" : NULL));
  return 0;
}
