package dev.ckpt.gdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the program under gdb gets our stdin, stdout and stderr while gdb keeps its
 * own pipes for MI. (Checked with gdb 13.1: gdb speaks MI on its own stdin and stdout
 * pipes, and a run of linklist fed from a pipe printed exactly what a direct run prints,
 * with no MI text mixed in.)
 *
 * <p>gdb starts the program through {@code /bin/sh}, so its arguments begin with
 * {@code < /proc/DRIVER/fd/0 > /proc/DRIVER/fd/1 2> /proc/DRIVER/fd/2}: the program
 * opens the very terminal, pipe or file the driver has. Caveats handled here:
 * <ul>
 * <li>a regular file opened again gets an offset of its own: stdout and stderr that
 * are regular files are opened for appending ({@code >>}), and the driver moves its
 * own offset to the end before it writes or hands the file on (see
 * {@link #seekToEnd});</li>
 * <li>a socket (or another anonymous file) cannot be opened by path: that is an error
 * that says what to do instead;</li>
 * <li>the driver never reads its stdin; a closed descriptor becomes {@code /dev/null}.</li>
 * </ul>
 *
 * @param redirections the shell redirections to put before the program's arguments
 * @param stdinRegular the program's stdin is a regular file (its offset must be carried over to the restart)
 */
public record ProgramStdio(String redirections, boolean stdinRegular) {

    /**
     * Plans the redirections for a driver with pid {@code driverPid}.
     *
     * @param stdinFile the program's stdin when not the driver's own (--stdin, --input), else null
     */
    public static ProgramStdio plan(long driverPid, Path stdinFile) throws CheckpointException {
        StringBuilder sb = new StringBuilder();
        boolean stdinRegular;
        if (stdinFile != null) {
            sb.append("< ").append(ShellWords.shell(stdinFile.toAbsolutePath().toString()));
            stdinRegular = Files.isRegularFile(stdinFile);
        } else {
            Kind k = kind(0);
            sb.append("< ").append(path(driverPid, 0, k, "stdin"));
            stdinRegular = k == Kind.REGULAR;
        }
        for (int fd = 1; fd <= 2; fd++) {
            Kind k = kind(fd);
            sb.append(' ');
            if (fd == 2) {
                sb.append('2');
            }
            sb.append(k == Kind.REGULAR ? ">> " : "> ").append(path(driverPid, fd, k, fd == 1 ? "stdout" : "stderr"));
        }
        return new ProgramStdio(sb.toString(), stdinRegular);
    }

    enum Kind { REGULAR, REOPENABLE, CLOSED, NOT_REOPENABLE }

    /** What our own descriptor {@code fd} is. */
    static Kind kind(int fd) {
        Path link = Path.of("/proc/self/fd/" + fd);
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return Kind.CLOSED;
        }
        if (target.startsWith("socket:") || target.startsWith("anon_inode:")) {
            return Kind.NOT_REOPENABLE;
        }
        return Files.isRegularFile(link) ? Kind.REGULAR : Kind.REOPENABLE;
    }

    private static String path(long pid, int fd, Kind k, String name) throws CheckpointException {
        return switch (k) {
            case CLOSED -> "/dev/null";
            case NOT_REOPENABLE -> throw new CheckpointException(CheckpointException.Reason.BAD_INPUT,
                    name + " is a socket or another file that the program cannot open by name; "
                            + (fd == 0 ? "use --input, --stdin FILE or a pipe (cat | ckpt-gdb ...)"
                                       : "use a pipe (ckpt-gdb ... | cat) or a file"));
            default -> "/proc/" + pid + "/fd/" + fd;
        };
    }

    /**
     * Moves the offset of our descriptor {@code fd} (1 or 2) to the end of the file
     * when it is a regular file, so what we (or a process inheriting it) write next
     * lands after what the program appended.
     */
    public static void seekToEnd(int fd) {
        if (kind(fd) != Kind.REGULAR) {
            return;
        }
        try {
            java.io.FileOutputStream out = new java.io.FileOutputStream(fd == 1 ? java.io.FileDescriptor.out
                    : java.io.FileDescriptor.err);
            java.nio.channels.FileChannel ch = out.getChannel();
            ch.position(ch.size());
            // out is not closed: that would close our fd
        } catch (IOException e) {
            // a file that cannot seek: nothing to fix
        }
    }

    /** Sets the offset of our stdin, when it is a regular file, to {@code offset}. */
    public static void seekStdin(long offset) {
        if (kind(0) != Kind.REGULAR) {
            return;
        }
        try {
            java.io.FileInputStream in = new java.io.FileInputStream(java.io.FileDescriptor.in);
            in.getChannel().position(offset);
        } catch (IOException e) {
            // not seekable: the program read it through its own description anyway
        }
    }

    /** The file offset of descriptor {@code fd} of process {@code pid} (from /proc/PID/fdinfo), or -1. */
    public static long offsetOf(long pid, int fd) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/" + fd))) {
                if (l.startsWith("pos:")) {
                    return Long.parseLong(l.substring(4).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone or unreadable
        }
        return -1;
    }
}
