/* Touches argv[1] MiB (default 128) of incompressible data, then crashes: a core larger than a
 * small disk. */
#include <stdint.h>
#include <stdlib.h>

static void crash_big(uint64_t *memory) {
  memory[0] = *(volatile uint64_t *)0; /* crash-here */
}

int main(int argc, char **argv) {
  size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 128;
  size_t words = mib * 1024 * 1024 / sizeof(uint64_t);
  uint64_t *memory = malloc(words * sizeof(uint64_t));
  uint64_t x = 88172645463325252ULL;
  for (size_t i = 0; i < words; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    memory[i] = x;
  }
  crash_big(memory);
  return 0;
}
