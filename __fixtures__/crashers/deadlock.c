/* A daemon whose two threads take two locks in opposite orders: each holds one and waits
 * forever for the other. The parent exits at once; the daemon stays until it is killed. */
#include <pthread.h>
#include <unistd.h>

static pthread_mutex_t table = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t journal = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) static void *update_table(void *arg) {
  (void)arg;
  pthread_mutex_lock(&table);
  usleep(100 * 1000);
  pthread_mutex_lock(&journal); /* journal-here */
  return NULL;
}

__attribute__((noinline)) static void *flush_journal(void *arg) {
  (void)arg;
  pthread_mutex_lock(&journal);
  usleep(100 * 1000);
  pthread_mutex_lock(&table); /* table-here */
  return NULL;
}

int main(void) {
  if (fork() != 0) return 0;
  setsid();
  pthread_t a, b;
  pthread_create(&a, NULL, update_table, NULL);
  pthread_create(&b, NULL, flush_journal, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
