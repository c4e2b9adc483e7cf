package dev.ckpt.suite;

import dev.ckpt.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs ckpt in this JVM ({@code Main.run}) and keeps what it printed. */
record Run(int status, String out, String err) {
    static Run ckpt(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = args[i].toString();
        }
        int status = Main.run(new PrintWriter(out), new PrintWriter(err), a);
        return new Run(status, out.toString(), err.toString());
    }

    static Path basedir() {
        return Path.of(System.getProperty("ckpt.basedir", ".")).toAbsolutePath();
    }

    static Path target() {
        return Path.of(System.getProperty("ckpt.target", "target")).toAbsolutePath();
    }
}
