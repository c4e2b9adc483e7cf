package dev.ckpt.cli;

import dev.ckpt.core.CoreFile;
import dev.ckpt.core.CoreFormatException;
import dev.ckpt.image.CkptImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine;

/** Shared by the commands that read a core: opening it and turning failures into one line. */
abstract class CoreCommand {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A core that cannot be used: the one-line message is already the whole story. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message, null, false, false);
        }
    }

    record Loaded(CoreFile core, CkptImage image) {}

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    static Loaded load(Path path) throws Unusable {
        try {
            CoreFile core = CoreFile.open(path);
            return new Loaded(core, CkptImage.of(core));
        } catch (CoreFormatException e) {
            throw new Unusable(e.getMessage());
        } catch (NoSuchFileException e) {
            throw new Unusable(path + ": no such file");
        } catch (AccessDeniedException e) {
            throw new Unusable(path + ": permission denied");
        } catch (IOException e) {
            String m = e.getMessage();
            throw new Unusable(path + ": " + (m == null ? e.getClass().getSimpleName() : m));
        }
    }

    /** ELF e_type of a file: 4 ET_CORE, 2 ET_EXEC, 3 ET_DYN; -1 when it is not a readable ELF file. */
    static int elfType(Path p) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(p)) {
            byte[] h = in.readNBytes(18);
            if (h.length < 18 || h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F') {
                return -1;
            }
            return (h[16] & 0xff) | (h[17] & 0xff) << 8;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The two positional words of {@code CORE [EXECUTABLE]}, in either order: the seed's
     * {@code EXECUTABLE CORE} is told apart by the ELF header (ET_CORE). Returns {core, exe-or-null}.
     */
    static Path[] coreAndExecutable(Path first, Path second) {
        if (second != null && elfType(first) != 4 && elfType(second) == 4) {
            return new Path[] {second, first};
        }
        return new Path[] {first, second};
    }

    /**
     * Asks the engine's own check ({@code restart --check --json}, the one validator): null when
     * the engine would restart the image, else the exit status, with each refusal said in one line.
     */
    Integer engineRefusal(java.util.List<String> engineOptions, Path executable, Path core)
            throws IOException, InterruptedException {
        dev.ckpt.restore.NativeEngine.Check k = dev.ckpt.restore.NativeEngine.check(engineOptions, executable, core);
        com.fasterxml.jackson.databind.JsonNode report = null;
        try {
            report = k.json().isBlank() ? null : InspectCommand.JSON.readTree(k.json());
        } catch (IOException e) {
            // no report: said below
        }
        String name = "ckpt " + spec.name() + ": ";
        if (report == null) {
            err().println(name + (k.error().isEmpty() ? core + ": the engine's check failed (exit "
                    + k.status() + ")" : k.error()));
            err().flush();
            return k.status() == ExitCodes.BAD_INPUT ? ExitCodes.BAD_INPUT
                    : ExitCodes.passThrough(ExitCodes.RESTORE_FAILED);
        }
        if (!report.path("refused").asBoolean(false)) {
            return null;
        }
        for (com.fasterxml.jackson.databind.JsonNode p : report.path("problems")) {
            String sev = p.path("severity").asText();
            if (sev.equals("error") || sev.equals("mismatch")) {
                err().println(name + core + ": " + p.path("message").asText());
            }
        }
        err().flush();
        return ExitCodes.BAD_INPUT;
    }

    int unusable(Unusable u) {
        err().println("ckpt " + spec.name() + ": " + u.getMessage());
        err().flush();
        return ExitCodes.BAD_INPUT;
    }
}
