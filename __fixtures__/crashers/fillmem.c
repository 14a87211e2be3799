/* Fills argv[1] MiB with one repeated byte, then crashes: a core that compresses to almost
 * nothing but is large again once decompressed. */
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  size_t bytes = (size_t)atoi(argv[1]) * 1024 * 1024;
  char *memory = malloc(bytes);
  memset(memory, 0x5a, bytes);
  *(volatile char *)0 = memory[bytes - 1]; /* crash-here */
  return 0;
}
