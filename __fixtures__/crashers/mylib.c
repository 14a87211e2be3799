/* A project's own shared library whose function crashes. */
int mylib_bump(int *counter) {
  return ++*counter; /* crash-here */
}
