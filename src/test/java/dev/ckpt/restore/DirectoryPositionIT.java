package dev.ckpt.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import dev.ckpt.testing.Checkpoints;
import dev.ckpt.testing.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a directory read half-way goes on where it stopped. Found by the
 * differential suite (tar through libsavefds.so): tar, checkpointed between two
 * getdents64 calls on a directory, archived that directory's first file twice
 * after the restart, because restart reopened directories at position 0 (it
 * set the offset of regular files only). The feature program dirpos reads part
 * of a directory of 200 files, is checkpointed, reads the rest and checks that
 * every name came exactly once; through both ways restart reopens files.
 */
class DirectoryPositionIT {

    @TempDir
    Path dir;

    @Test
    void directoryReadHalfWayGoesOnFromTheImagesFilesNote() throws Exception {
        Checkpoints.Taken cp = Checkpoints.ckptSave(dir, Build.feature("dirpos"), "checkpoint_point", 0, null,
                "img.dirpos");
        assertThat(cp.before()).doesNotContain("FAIL");
        Run r = Checkpoints.restart(dir, "-n", "-w", cp.core().toString());
        assertThat(r.out).as("%s", r).isEqualTo("PASS dirpos\n");
        assertThat(r.exit).as("%s", r).isZero();
    }

    @Test
    void directoryReadHalfWayGoesOnFromAFiledescriptorsFile() throws Exception {
        // gdb, stopped at checkpoint_point, writes the seed's filedescriptors file from /proc
        String describe = "python import os; p = gdb.selected_inferior().pid; "
                + "open('filedescriptors', 'w').write(''.join('%s : %s : %s : %s\\n' % (f, "
                + "os.readlink('/proc/%d/fd/%s' % (p, f)), "
                + "*[l.split()[1] for l in open('/proc/%d/fdinfo/%s' % (p, f)) if l.startswith(('pos:', 'flags:'))]) "
                + "for f in sorted(os.listdir('/proc/%d/fd' % p), key=int)))";
        Checkpoints.Taken cp = Checkpoints.gdb(dir, Build.feature("dirpos"), "checkpoint_point", 0, null,
                "core.dirpos", describe);
        assertThat(cp.before()).doesNotContain("FAIL");
        Path fds = dir.resolve("filedescriptors");
        assertThat(Files.readString(fds)).as("gdb wrote the list").containsPattern("3 : .*/dirpos.d : [1-9][0-9]* : 0");
        Run r = Checkpoints.restart(dir, "-n", "-w", "--filedes=" + fds, cp.core().toString());
        assertThat(r.out).as("%s", r).isEqualTo("PASS dirpos\n");
        assertThat(r.exit).as("%s", r).isZero();
    }
}
