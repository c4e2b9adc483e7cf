import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import java.io.*;

/** Several threads: workers hashing numbers in rounds, handing results to main through a queue. */
public class Loop {
    public static void main(String[] args) throws Exception {
        int threads = 4, rounds = 100;
        BlockingQueue<long[]> results = new LinkedBlockingQueue<>();
        CyclicBarrier barrier = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            final int id = t;
            pool.submit(() -> {
                long s = id;
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < 400_000; k++) s = (s * 31 + k + r) % 1_000_000_007L;
                    results.put(new long[] {r, id, s});
                    barrier.await();
                }
                return null;
            });
        }
        long[][] table = new long[rounds][threads];
        try (PrintWriter log = new PrintWriter(new FileWriter("jvm.log"))) {
            for (int i = 0; i < rounds * threads; i++) {
                long[] x = results.take();
                table[(int) x[0]][(int) x[1]] = x[2];
                if ((i + 1) % threads == 0) {
                    int r = (int) x[0];
                    long sum = 0;
                    for (long v : table[r]) sum += v;
                    System.out.println("round " + r + " sum " + sum);
                    log.println(r + " " + sum);
                    log.flush();
                }
            }
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES);
        System.out.println("done");
    }
}
