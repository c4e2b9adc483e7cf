package dev.ckpt.gdb;

/** Quoting for the two small languages gdb hands our words to. */
public final class ShellWords {
    private ShellWords() {}

    /** A word for a POSIX shell: bare when safe, else single-quoted ({@code '} as {@code '\''}). */
    public static String shell(String word) {
        if (!word.isEmpty() && word.chars().allMatch(ShellWords::plain)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * A word for a gdb CLI command that splits its argument with {@code gdb.string_to_argv}
     * (libiberty's buildargv): every character that is not plain gets a backslash.
     */
    public static String gdbArgv(String word) {
        if (word.isEmpty()) {
            return "''";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (!plain(c)) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static boolean plain(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "/._-+=:,@%".indexOf(c) >= 0;
    }
}
