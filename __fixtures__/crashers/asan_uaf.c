/* AddressSanitizer: a use-after-free in a worker function, with its free and allocation. */
#include <stdlib.h>
#include <string.h>

struct session { int id; char name[28]; };

__attribute__((noinline)) static struct session *open_session(int id) {
  struct session *s = malloc(sizeof *s); /* alloc-here */
  s->id = id;
  strcpy(s->name, "client");
  return s;
}
__attribute__((noinline)) static void close_session(struct session *s) { free(s); /* free-here */ }
__attribute__((noinline)) static int session_id(struct session *s) {
  return s->id; /* crash-here */
}

int main(void) {
  struct session *s = open_session(7);
  close_session(s);
  return session_id(s);
}
