package dev.ckpt.suite;

import java.util.ArrayList;
import java.util.List;

/** A unified diff of two texts by lines (expected against actual), for failure messages. */
final class Diff {
    private static final int CONTEXT = 3;
    private static final long MAX_CELLS = 4_000_000;
    private static final int MAX_LINES = 60;

    private Diff() {}

    static String unified(String expected, String actual) {
        List<String> a = lines(expected);
        List<String> b = lines(actual);
        int pre = 0;
        while (pre < a.size() && pre < b.size() && a.get(pre).equals(b.get(pre))) {
            pre++;
        }
        int suf = 0;
        while (suf < a.size() - pre && suf < b.size() - pre
                && a.get(a.size() - 1 - suf).equals(b.get(b.size() - 1 - suf))) {
            suf++;
        }
        List<String> ma = a.subList(pre, a.size() - suf);
        List<String> mb = b.subList(pre, b.size() - suf);
        List<String> body = new ArrayList<>();
        for (int i = Math.max(0, pre - CONTEXT); i < pre; i++) {
            body.add(" " + a.get(i));
        }
        if ((long) ma.size() * mb.size() <= MAX_CELLS) {
            body.addAll(lcs(ma, mb));
        } else {
            ma.forEach(l -> body.add("-" + l));
            mb.forEach(l -> body.add("+" + l));
        }
        for (int i = a.size() - suf; i < Math.min(a.size(), a.size() - suf + CONTEXT); i++) {
            body.add(" " + a.get(i));
        }
        StringBuilder out = new StringBuilder("--- expected\n+++ actual\n@@ -" + (Math.max(0, pre - CONTEXT) + 1)
                + " +" + (Math.max(0, pre - CONTEXT) + 1) + " @@\n");
        int shown = 0;
        for (String l : body) {
            if (shown++ == MAX_LINES) {
                out.append("... (").append(body.size() - MAX_LINES).append(" more lines)\n");
                break;
            }
            out.append(l).append('\n');
        }
        return out.toString();
    }

    private static List<String> lcs(List<String> a, List<String> b) {
        int n = a.size(), m = b.size();
        int[][] t = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                t[i][j] = a.get(i).equals(b.get(j)) ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a.get(i).equals(b.get(j))) {
                out.add(" " + a.get(i++));
                j++;
            } else if (i < n && (j == m || t[i + 1][j] >= t[i][j + 1])) {
                out.add("-" + a.get(i++));
            } else {
                out.add("+" + b.get(j++));
            }
        }
        return out;
    }

    private static List<String> lines(String s) {
        List<String> out = new ArrayList<>(List.of(s.split("\n", -1)));
        if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        } else if (!s.isEmpty()) {
            out.set(out.size() - 1, out.get(out.size() - 1) + "\\ (no newline at end)");
        }
        return out;
    }
}
