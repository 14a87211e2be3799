/* One bug, a NULL dereference in convert(), reached from two callers four frames up ("log",
 * "setvar"); and the same helper reached with another top-3 state ("other"). argv[1] chooses. */
#include <string.h>

__attribute__((noinline)) static int convert(const char *text) {
  return text[0]; /* crash-here */
}
__attribute__((noinline)) static int apply(const char *text) { return convert(text) + 1; }
__attribute__((noinline)) static int evaluate(const char *text) { return apply(text) + 1; }
__attribute__((noinline)) static int from_log_format(const char *text) { return evaluate(text) + 1; }
__attribute__((noinline)) static int from_set_var(const char *text) { return evaluate(text) + 2; }
__attribute__((noinline)) static int other_caller(const char *text) { return convert(text) + 3; }

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "log";
  if (!strcmp(path, "log")) return from_log_format(0);
  if (!strcmp(path, "setvar")) return from_set_var(0);
  return other_caller(0);
}
