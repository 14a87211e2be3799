/* AddressSanitizer's other errors, one per argument: heap (buffer overflow), stack (buffer
 * overflow), double (free), segv (a wild write), leak (memory never freed, found at exit). */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static int heap_overflow(int n) {
  int *a = malloc(n * sizeof *a);
  int v = a[n]; /* heap-here */
  free(a);
  return v;
}
__attribute__((noinline)) static int stack_overflow(int i) {
  volatile int a[4] = {0};
  return a[i]; /* stack-here */
}
__attribute__((noinline)) static void double_free(void) {
  char *volatile p = malloc(8);
  free(p);
  free(p); /* double-here */
}
__attribute__((noinline)) static void wild_write(long address) {
  *(volatile int *)address = 1; /* segv-here */
}
__attribute__((noinline)) static void *leak(void) {
  return malloc(40); /* leak-here */
}

void *kept;
int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "heap";
  if (!strcmp(what, "heap")) return heap_overflow(4);
  if (!strcmp(what, "stack")) return stack_overflow(argc + 3);
  if (!strcmp(what, "double")) double_free();
  if (!strcmp(what, "segv")) wild_write(argc - 2);
  if (!strcmp(what, "leak")) {
    kept = leak();
    kept = 0;
  }
  return 0;
}
