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

    int unusable(Unusable u) {
        err().println("ckpt " + spec.name() + ": " + u.getMessage());
        err().flush();
        return ExitCodes.BAD_INPUT;
    }
}
