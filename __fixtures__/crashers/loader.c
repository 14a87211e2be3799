/* Loads every shared library named on its command line (paths a crashing program chooses),
 * then crashes. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (!dlopen(argv[i], RTLD_NOW)) {
      fprintf(stderr, "%s\n", dlerror());
      return 2;
    }
  }
  *(volatile int *)0 = 1; /* crash-here */
  return 0;
}
