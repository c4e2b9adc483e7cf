package dev.ckpt.gdb;

import dev.ckpt.mi.MiAsyncRecord;
import dev.ckpt.mi.MiTuple;
import java.util.Objects;
import java.util.Optional;

/**
 * A typed reading of {@code *stopped}. Samples (gdb 13.1):
 * <pre>
 * *stopped,reason="breakpoint-hit",disp="keep",bkptno="-1",frame={addr="0x0000555555555232",func="main",args=[],file="../examples/linklist.c",fullname="/work/examples/linklist.c",line="29",arch="i386:x86-64"},thread-id="1",stopped-threads="all",core="0"
 * *stopped,reason="exited",exit-code="02"
 * *stopped,reason="exited-normally"
 * *stopped,reason="exited-signalled",signal-name="SIGSEGV",signal-meaning="Segmentation fault"
 * *stopped,frame={...},thread-id="1",stopped-threads="all",core="0"       (after -target-attach: no reason)
 * </pre>
 */
public record StopEvent(MiAsyncRecord record) {
    public StopEvent {
        Objects.requireNonNull(record, "record");
        if (!record.asyncClass().equals("stopped")) {
            throw new IllegalArgumentException("not a *stopped record: " + record);
        }
    }

    /** gdb's {@code reason}, or "" when it gives none (e.g. after attaching). */
    public String reason() {
        return record.getString("reason").orElse("");
    }

    public boolean isBreakpointHit() {
        return reason().equals("breakpoint-hit");
    }

    /** The process is gone: exited normally, with a status, or by a signal. */
    public boolean isExit() {
        return reason().startsWith("exited");
    }

    /** {@code bkptno} of a breakpoint hit (internal breakpoints have negative numbers). */
    public Optional<Integer> breakpointNumber() {
        return record.getString("bkptno").map(Integer::parseInt);
    }

    /** The exit status for {@code exited} (gdb prints it in octal) and {@code exited-normally} (0). */
    public Optional<Integer> exitCode() {
        if (reason().equals("exited-normally")) {
            return Optional.of(0);
        }
        return record.getString("exit-code").map(s -> Integer.parseInt(s, 8));
    }

    /** The signal of {@code exited-signalled} and {@code signal-received}, e.g. {@code SIGSEGV}. */
    public Optional<String> signalName() {
        return record.getString("signal-name");
    }

    public Optional<MiTuple> frame() {
        return record.getTuple("frame");
    }

    /** {@code file:line} of the frame, or the function, or the address. */
    public String where() {
        return frame().map(f -> {
            Optional<String> file = f.getString("file");
            Optional<String> line = f.getString("line");
            if (file.isPresent() && line.isPresent()) {
                return file.get() + ":" + line.get();
            }
            return f.getString("func").or(() -> f.getString("addr")).orElse("?");
        }).orElse("?");
    }

    /** How the process ended, in words: "exited with status 2", "was killed by SIGSEGV (Segmentation fault)". */
    public String describeExit() {
        if (reason().equals("exited-signalled")) {
            return "was killed by " + signalName().orElse("a signal")
                    + record.getString("signal-meaning").map(m -> " (" + m + ")").orElse("");
        }
        return "exited with status " + exitCode().map(String::valueOf).orElse("?");
    }
}
