/* Maps argv[1] argv[2] times (offset 0 each time, so no two mappings merge), then crashes:
 * /proc/PID/maps grows to megabytes; the test gives it a long argv too. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv) {
  int fd = open(argv[1], O_RDONLY);
  int count = atoi(argv[2]);
  for (int i = 0; i < count; i++)
    if (mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED) break;
  *(volatile int *)0 = 1; /* crash-here */
  return 0;
}
