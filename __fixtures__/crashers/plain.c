/* A library that does nothing but be mapped. */
int plain_value(void) { return 7; }
