package dev.ckpt.gdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ckpt.mi.MiAsyncRecord;
import dev.ckpt.mi.MiParser;
import org.junit.jupiter.api.Test;

/** Typed readings of *stopped, on lines recorded from gdb 13.1. */
class StopEventTest {

    static StopEvent stop(String line) throws Exception {
        return new StopEvent((MiAsyncRecord) MiParser.parseRecord(line));
    }

    @Test
    void internalBreakpointHit() throws Exception {
        StopEvent e = stop("*stopped,reason=\"breakpoint-hit\",disp=\"keep\",bkptno=\"-1\",frame={addr=\"0x0000555555555232\","
                + "func=\"main\",args=[],file=\"../examples/linklist.c\",fullname=\"/w/examples/linklist.c\",line=\"29\","
                + "arch=\"i386:x86-64\"},thread-id=\"1\",stopped-threads=\"all\",core=\"0\"");
        assertThat(e.isBreakpointHit()).isTrue();
        assertThat(e.isExit()).isFalse();
        assertThat(e.breakpointNumber()).contains(-1);
        assertThat(e.where()).isEqualTo("../examples/linklist.c:29");
    }

    @Test
    void exitCodesAreOctal() throws Exception {
        assertThat(stop("*stopped,reason=\"exited\",exit-code=\"02\"").exitCode()).contains(2);
        assertThat(stop("*stopped,reason=\"exited\",exit-code=\"012\"").exitCode()).contains(10);
        assertThat(stop("*stopped,reason=\"exited\",exit-code=\"0377\"").describeExit()).isEqualTo("exited with status 255");
        assertThat(stop("*stopped,reason=\"exited-normally\"").exitCode()).contains(0);
    }

    @Test
    void signals() throws Exception {
        StopEvent e = stop("*stopped,reason=\"exited-signalled\",signal-name=\"SIGSEGV\",signal-meaning=\"Segmentation fault\"");
        assertThat(e.isExit()).isTrue();
        assertThat(e.exitCode()).isEmpty();
        assertThat(e.describeExit()).isEqualTo("was killed by SIGSEGV (Segmentation fault)");
    }

    @Test
    void attachStopHasNoReason() throws Exception {
        StopEvent e = stop("*stopped,frame={addr=\"0x00007f93a4508503\",func=\"__GI___clock_nanosleep\",args=[]},"
                + "thread-id=\"1\",stopped-threads=\"all\",core=\"0\"");
        assertThat(e.reason()).isEmpty();
        assertThat(e.where()).isEqualTo("__GI___clock_nanosleep");
    }

    @Test
    void onlyStoppedRecords() {
        assertThatThrownBy(() -> stop("*running,thread-id=\"all\"")).isInstanceOf(IllegalArgumentException.class);
    }
}
