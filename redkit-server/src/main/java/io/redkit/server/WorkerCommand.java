package io.redkit.server;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.RedkitConfigException;
import io.redkit.queue.Worker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code redkit worker}: runs the server's job workers only (no HTTP), to scale job processing out
 * across processes and machines. Needs the same Redis and PostgreSQL as the server.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Runs workers for the server's queues (emails, reports, default) without the HTTP API, to scale "
                + "job processing across processes and machines.",
                "Needs REDIS_URL (or REDKIT_QUEUE_URL) and DATABASE_URL pointing at the servers the API uses. "
                        + "SIGTERM or Ctrl-C stops it gracefully: no new jobs, running jobs finish, then it exits 0."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped normally", "1:failed to start", "2:the configuration is invalid"})
final class WorkerCommand implements Callable<Integer> {
    @Option(names = "--concurrency", description = "Jobs run at once (default: $REDKIT_WORKER_CONCURRENCY, else "
            + ServerSettings.DEFAULT_WORKER_CONCURRENCY + ").")
    Integer concurrency;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        RedkitConfig config;
        ServerSettings settings;
        try {
            config = RedkitConfig.fromEnv(env);
            settings = ServerSettings.fromEnv(env);
        } catch (RedkitConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            return 2;
        }
        if (config.needsEmbeddedRedis() || settings.databaseUrl == null) {
            System.err.println("a worker needs the server's Redis and database: set REDIS_URL (or REDKIT_QUEUE_URL) and DATABASE_URL");
            return 2;
        }
        int n = concurrency != null ? concurrency : settings.workerConcurrency;
        if (n < 1 || n > ServerSettings.MAX_WORKER_CONCURRENCY) {
            System.err.println("--concurrency must be from 1 to " + ServerSettings.MAX_WORKER_CONCURRENCY + ": " + n);
            return 2;
        }
        GracefulStop stop = GracefulStop.install();
        Database database;
        Redkit redkit;
        Worker worker;
        try {
            database = Database.open(settings.databaseUrl, Math.min(n, 32) + 2);
            redkit = Redkit.create(config);
            worker = new ServerQueues(redkit).startWorker(database.dataSource(), n, new SimpleMeterRegistry());
        } catch (RuntimeException e) {
            System.err.println("failed to start: " + e.getMessage());
            return 1;
        }
        System.out.println("worker " + worker.id() + " consuming " + ServerQueues.NAMES + " with concurrency " + n);
        stop.await();
        System.out.println("stopping: finishing running jobs ...");
        worker.close();
        redkit.close();
        database.close();
        System.out.println("stopped");
        stop.stopped();
        return 0;
    }
}
