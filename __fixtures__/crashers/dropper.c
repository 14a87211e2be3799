/* A daemon started through sudo that drops to an unprivileged user and group, as HAProxy's
 * `user`/`group` directives do, and then crashes. Without fs.suid_dumpable=2 it leaves no core. */
#include <grp.h>
#include <stdlib.h>
#include <unistd.h>

static void serve(int *request) {
  *request = 1; /* crash-here */
}

int main(int argc, char **argv) {
  uid_t uid = argc > 1 ? (uid_t)atoi(argv[1]) : 65534;
  gid_t gid = argc > 2 ? (gid_t)atoi(argv[2]) : 65534;
  if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0) return 2;
  serve(NULL);
  return 0;
}
