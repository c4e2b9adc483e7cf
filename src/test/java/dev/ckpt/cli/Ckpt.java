package dev.ckpt.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs ckpt in this JVM, as {@code Main.run}, and keeps what it printed. */
record Ckpt(int status, String out, String err) {
    static Ckpt run(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = args[i].toString();
        }
        int status = Main.run(new PrintWriter(out), new PrintWriter(err), a);
        return new Ckpt(status, out.toString(), err.toString());
    }
}
