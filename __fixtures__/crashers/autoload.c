/* A library carrying inline Python in .debug_gdb_scripts, as gdb auto-loads it: it writes the
 * file MARKER_PATH (replaced by the test) when anything runs it. */
__asm__(".pushsection \".debug_gdb_scripts\", \"MS\",%progbits,1\n"
        ".byte 4\n"
        ".ascii \"gdb.inlined-script\\n\"\n"
        ".ascii \"open('MARKER_PATH', 'w').write('auto-loaded')\\n\"\n"
        ".byte 0\n"
        ".popsection\n");

int autoload_value(void) { return 42; }
