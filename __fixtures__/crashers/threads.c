/* Four threads sleep while a fifth, not the main thread, dereferences NULL. */
#include <pthread.h>
#include <unistd.h>

static void *sleeper(void *arg) {
  (void)arg;
  for (;;) sleep(1);
  return NULL;
}

static void do_work(int *slot) {
  *slot = 42; /* crash-here */
}

static void *crasher(void *arg) {
  (void)arg;
  usleep(100 * 1000);
  do_work(NULL);
  return NULL;
}

int main(void) {
  pthread_t threads[5];
  for (int i = 0; i < 4; i++) pthread_create(&threads[i], NULL, sleeper, NULL);
  pthread_create(&threads[4], NULL, crasher, NULL);
  pthread_join(threads[4], NULL);
  return 0;
}
