/* libplugin.so: loaded with dlopen() by the dlopen feature program. */
static long calls;
long plugin_calls(void) { return ++calls; }
long plugin_square(long x) { return x * x; }
