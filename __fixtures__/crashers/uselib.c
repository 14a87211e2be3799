/* Calls into the project's own shared library with a NULL pointer. */
int mylib_bump(int *counter);

int main(void) {
  return mylib_bump(0);
}
