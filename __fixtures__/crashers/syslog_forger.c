/* A program of the job that writes hostile text to the system log in the shape of a UBSan
 * diagnostic: workflow commands, an encoded newline, mentions and HTML. */
#include <syslog.h>

int main(void) {
  syslog(LOG_INFO, "%s",
         "src/@admin <img src=x>.c:1:1: runtime error: ::warning::pwned%0A@everyone <script>");
  syslog(LOG_INFO, "%s", "    #0 0x401000 in ::error::injected src/@admin <img src=x>.c:1");
  return 0;
}
