/* ThreadSanitizer: two threads update a counter without a lock; the program goes on. */
#include <pthread.h>
#include <stdio.h>

static int hits;

__attribute__((noinline)) static void count_hit(void) {
  hits++; /* race-here */
}
static void *worker(void *arg) {
  for (int i = 0; i < 1000; i++) count_hit();
  return arg;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, worker, NULL);
  pthread_create(&b, NULL, worker, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("hits %d\n", hits);
  return 0;
}
