package io.redkit.queue;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;

import java.time.Duration;

/**
 * A worker process for the crash test: takes jobs from a queue, prints {@code STARTED <id>} and hangs
 * until the test kills it with SIGKILL. Arguments: Redis URL, queue name, lease in ms.
 */
public final class CrashWorkerMain {
    private CrashWorkerMain() {}

    public static void main(String[] args) throws Exception {
        Redkit redkit = Redkit.create(RedkitConfig.builder().redisUrl(args[0]).build());
        JobQueue queue = JobQueue.create(redkit, args[1]);
        Worker worker = queue.worker(job -> {
            System.out.println("STARTED " + job.id());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
            return null;
        }, WorkerOptions.builder().concurrency(1).leaseTime(Duration.ofMillis(Long.parseLong(args[2]))).workerId("doomed").build());
        System.out.println("READY " + worker.id());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
