/* Dereferences NULL two calls below main: the classic SIGSEGV. */
#include <stddef.h>

struct node {
  int value;
  struct node *next;
};

static int sum_list(struct node *head) {
  int total = 0;
  while (1) {
    total += head->value; /* crash-here */
    head = head->next;
  }
  return total;
}

int process(struct node *list) {
  return sum_list(list) + 1;
}

int main(void) {
  return process(NULL);
}
