/* An executable of about 50 MB (initialised data), crashing at once. */
static char payload[50 * 1024 * 1024] = {1};

int main(void) {
  *(volatile char *)0 = payload[0]; /* crash-here */
  return 0;
}
