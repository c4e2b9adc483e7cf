package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/ckpt and bin/ckpt-gdb as a user runs them. */
class LaunchersIT {
    @TempDir
    Path dir;

    @Test
    void helpThroughTheLaunchers() throws Exception {
        Launch g = Launch.of(Launch.ckptGdb(), "--help").dir(dir).go();
        assertThat(g.exit).as("%s", g).isZero();
        assertThat(g.out).startsWith("Usage: ckpt gdb ");
        Launch c = Launch.of(Launch.ckpt(), "dump", "--help").dir(dir).go();
        assertThat(c.exit).as("%s", c).isZero();
        assertThat(c.out).startsWith("Usage: ckpt dump ");
        Launch none = Launch.of(Launch.ckpt()).dir(dir).go();
        assertThat(none.exit).isEqualTo(ExitCodes.BAD_INPUT);
    }

    /** Called through a symbolic link from another directory, the launchers still find the repository. */
    @Test
    void throughASymlink() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("ckpt-gdb"), Launch.ckptGdb());
        Launch g = Launch.of(link, "--help").dir(dir).go();
        assertThat(g.exit).as("%s", g).isZero();
        assertThat(g.out).startsWith("Usage: ckpt gdb ");
    }

    /** Without a built jar and without the tools to build it, the launcher names the packages to install. */
    @Test
    void missingToolsAreNamedWithTheirPackages() throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo/bin"));
        Files.copy(Build.basedir().resolve("bin/ckpt"), repo.resolve("ckpt"));
        repo.resolve("ckpt").toFile().setExecutable(true);
        // a PATH with only what the launcher itself needs to find its directory
        Path tools = Files.createDirectories(dir.resolve("tools"));
        for (String t : new String[] {"dirname", "readlink"}) {
            Files.createSymbolicLink(tools.resolve(t), Path.of("/usr/bin", t));
        }
        Launch r = Launch.of("/bin/sh", repo.resolve("ckpt"), "--help").env("PATH", tools.toString()).dir(dir).go();
        assertThat(r.exit).as("%s", r).isEqualTo(ExitCodes.MISSING_TOOL);
        assertThat(r.err).isEqualTo("ckpt: missing tools; install them with: apt-get install openjdk-17-jre-headless "
                + "openjdk-17-jdk-headless maven gcc libc6-dev make gdb\n");
    }
}
