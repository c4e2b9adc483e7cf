package dev.ckpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ckpt.testing.Build;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/ckpt rebuilds when a source (src/, native/, pom.xml) is newer than the jar, and
 * only then; it makes the AppCDS archive once per jar and then uses it. Run in a fake
 * repository with stand-ins for mvn and java that log how they were called.
 */
class LauncherRebuildIT {
    @TempDir
    Path dir;

    Path repo;
    Path log;

    private Path fake(Path tools, String name, String body) throws Exception {
        Path f = tools.resolve(name);
        Files.writeString(f, "#!/bin/sh\n" + body + "\n");
        f.toFile().setExecutable(true);
        return f;
    }

    private Launch launch() throws Exception {
        Path tools = Files.createDirectories(dir.resolve("tools"));
        if (!Files.exists(tools.resolve("mvn"))) {
            // mvn "builds": a new jar; java logs its arguments
            fake(tools, "mvn", "echo mvn >> " + log + "; touch " + repo.resolve("target/ckpt.jar"));
            fake(tools, "java", "echo \"java $*\" >> " + log
                    + "; for a in \"$@\"; do case $a in -XX:ArchiveClassesAtExit=*) echo x > \"${a#*=}\" ;; esac; done");
            for (String t : new String[] {"javac", "gcc", "make", "gdb"}) {
                fake(tools, t, "exit 0");
            }
            for (String t : new String[] {"dirname", "readlink", "find", "touch", "mv", "rm"}) {
                Files.createSymbolicLink(tools.resolve(t), Path.of("/usr/bin", t));
            }
        }
        return Launch.of("/bin/sh", repo.resolve("bin/ckpt"), "--version").env("PATH", dir.resolve("tools").toString())
                .dir(dir).go();
    }

    private static void age(Path p, int secondsAgo) throws Exception {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(secondsAgo)));
    }

    @Test
    void rebuildsOnlyWhenASourceIsNewerThanTheJar() throws Exception {
        repo = Files.createDirectories(dir.resolve("repo"));
        log = dir.resolve("calls.log");
        Files.createDirectories(repo.resolve("bin"));
        Files.copy(Build.basedir().resolve("bin/ckpt"), repo.resolve("bin/ckpt"));
        Path source = Files.createDirectories(repo.resolve("src/main/java")).resolve("A.java");
        Files.writeString(source, "class A {}\n");
        Files.createDirectories(repo.resolve("native"));
        Files.writeString(repo.resolve("pom.xml"), "<project/>\n");
        Path jar = Files.createDirectories(repo.resolve("target")).resolve("ckpt.jar");
        Files.writeString(jar, "jar\n");
        for (Path p : new Path[] {source, repo.resolve("native"), repo.resolve("pom.xml"), repo.resolve("src"),
                repo.resolve("src/main"), repo.resolve("src/main/java")}) {
            age(p, 100);
        }
        age(jar, 50);

        // up to date: no build; the archive is made once, then used
        Launch first = launch();
        assertThat(first.exit).as("%s", first).isZero();
        String calls = Files.readString(log);
        assertThat(calls).doesNotContain("mvn");
        assertThat(calls).contains("-XX:ArchiveClassesAtExit=" + repo.resolve("target/ckpt.jsa"));
        assertThat(repo.resolve("target/ckpt.jsa")).exists();
        assertThat(calls.lines().reduce((a, b) -> b).orElseThrow())
                .contains("-XX:SharedArchiveFile=" + repo.resolve("target/ckpt.jsa")).contains("-XX:-UsePerfData")
                .endsWith("-jar " + jar + " --version");
        Files.delete(log);
        launch();
        assertThat(Files.readString(log).lines().count()).as("no second training run").isEqualTo(1);

        // a source newer than the jar: one build, and a new archive for the new jar
        Files.delete(log);
        Files.writeString(source, "class A { int x; }\n");
        Launch second = launch();
        assertThat(second.exit).as("%s", second).isZero();
        assertThat(second.err).contains("ckpt: building ckpt (sources changed)");
        assertThat(Files.readString(log)).startsWith("mvn\n").contains("-XX:ArchiveClassesAtExit=");
    }
}
