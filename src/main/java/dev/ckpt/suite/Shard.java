package dev.ckpt.suite;

import java.util.Map;

/**
 * Which part of a suite this machine runs: shard {@code index} (1-based) of {@code count}.
 * Every case (each repeat of it) has a position in the suite (files sorted by path,
 * cases in file order, repeats in order); position k belongs to shard (k mod count)+1.
 * So the shards 1..N together run the whole suite once, on any machines, as long as
 * each is given the same files.
 */
public record Shard(int index, int count) {
    public static final Shard ALL = new Shard(1, 1);

    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("shard " + index + "/" + count + ": want I/N with 1 <= I <= N");
        }
    }

    public boolean includes(long position) {
        return position % count == index - 1;
    }

    /** "I/N". */
    public static Shard parse(String text) {
        String[] w = text.trim().split("/");
        try {
            if (w.length == 2) {
                return new Shard(Integer.parseInt(w[0].trim()), Integer.parseInt(w[1].trim()));
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("shard '" + text + "': want I/N, e.g. 2/4");
    }

    /**
     * The shard from a scheduler's environment, when {@code --shard} is not given:
     * Slurm job arrays (SLURM_ARRAY_TASK_ID, 0-based with --array=0-(N-1), and
     * SLURM_ARRAY_TASK_COUNT), Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX, 0-based,
     * with the count from {@code countOption} or CKPT_SHARD_COUNT), GitLab parallel jobs
     * (CI_NODE_INDEX and CI_NODE_TOTAL, 1-based). None of them: the whole suite.
     */
    public static Shard fromEnvironment(Map<String, String> env, Integer countOption) {
        String slurm = env.get("SLURM_ARRAY_TASK_ID");
        if (slurm != null) {
            String min = env.getOrDefault("SLURM_ARRAY_TASK_MIN", "0");
            return of("SLURM_ARRAY_TASK_ID", Integer.parseInt(slurm.trim()) - Integer.parseInt(min.trim()) + 1,
                    countOption != null ? countOption : number(env, "SLURM_ARRAY_TASK_COUNT"));
        }
        String k8s = env.get("JOB_COMPLETION_INDEX");
        if (k8s != null) {
            Integer count = countOption != null ? countOption : number(env, "CKPT_SHARD_COUNT");
            if (count == null) {
                throw new IllegalArgumentException("JOB_COMPLETION_INDEX is set but not the number of shards: "
                        + "give --shard-count N or CKPT_SHARD_COUNT (the Job's completions)");
            }
            return of("JOB_COMPLETION_INDEX", Integer.parseInt(k8s.trim()) + 1, count);
        }
        String gitlab = env.get("CI_NODE_INDEX");
        if (gitlab != null) {
            return of("CI_NODE_INDEX", Integer.parseInt(gitlab.trim()),
                    countOption != null ? countOption : number(env, "CI_NODE_TOTAL"));
        }
        return ALL;
    }

    private static Shard of(String var, int index, Integer count) {
        if (count == null) {
            throw new IllegalArgumentException(var + " is set but not the number of shards");
        }
        return new Shard(index, count);
    }

    private static Integer number(Map<String, String> env, String var) {
        String v = env.get(var);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(var + "='" + v + "': not a number");
        }
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
