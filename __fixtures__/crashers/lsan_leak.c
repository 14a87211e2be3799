/* LeakSanitizer on its own (-fsanitize=leak): two leaks from one allocation site, found at exit. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static char *make_buffer(size_t size) {
  char *buffer = malloc(size); /* leak-here */
  memset(buffer, 'x', size);
  return buffer;
}

int main(void) {
  make_buffer(64);
  make_buffer(128);
  return 0;
}
