package io.redkit.server;

import io.redkit.core.RedisUnavailableException;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.RedkitConfigException;
import io.redkit.queue.JobInfo;
import io.redkit.queue.JobQueue;
import io.redkit.queue.JobState;
import io.redkit.queue.QueueCounts;
import io.redkit.queue.QueueException;
import io.redkit.queue.QueueStats;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code redkit queue stats|list|retry|remove|pause|resume}: operates the server's queues in the
 * Redis named by {@code REDIS_URL} (or {@code REDKIT_QUEUE_URL}). Needs a configured Redis: an
 * embedded one would be empty.
 */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = {"Inspects and operates the server's job queues (" + "emails, reports, default" + ") in the Redis of "
                + "REDIS_URL / REDKIT_QUEUE_URL (the URL serve prints at start-up when it runs an embedded Redis)."},
        subcommands = {CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:not found, not possible, or Redis unavailable", "2:bad usage or configuration"})
final class QueueCommand {
    private final Map<String, String> env;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    QueueCommand() {
        this(System.getenv());
    }

    QueueCommand(Map<String, String> env) {
        this.env = env;
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Counts per state, paused flag, totals and throughput of each queue (or one).")
    int stats(@Parameters(arity = "0..1", paramLabel = "QUEUE", description = "one queue (default: all)") String queue) {
        return run(queues -> {
            for (JobQueue q : select(queues, queue)) {
                QueueCounts c = q.counts();
                QueueStats s = q.stats();
                out().printf("%s%s%n", q.name(), c.paused() ? " (paused)" : "");
                StringBuilder line = new StringBuilder("  ");
                for (JobState st : JobState.values()) {
                    line.append(st.name().toLowerCase(Locale.ROOT)).append('=').append(c.of(st)).append(' ');
                }
                out().println(line.toString().stripTrailing());
                out().printf("  added=%d completed=%d failed=%d retried=%d stalled=%d dead=%d completedLastHour=%d p50=%dms p99=%dms%n",
                        s.added(), s.completed(), s.failed(), s.retried(), s.stalled(), s.dead(), s.completedLastHour(),
                        s.processingTimePercentile(0.5).toMillis(), s.processingTimePercentile(0.99).toMillis());
            }
            return 0;
        });
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists a queue's jobs in one state.")
    int list(@Parameters(index = "0", paramLabel = "QUEUE") String queue,
             @Option(names = "--state", defaultValue = "waiting",
                     description = "waiting, delayed, retrying, active, completed or dead (default: ${DEFAULT-VALUE})") String state,
             @Option(names = "--limit", defaultValue = "20", description = "at most this many, 1 to 1000 (default: ${DEFAULT-VALUE})") int limit,
             @Option(names = "--offset", defaultValue = "0", description = "skip this many (default: ${DEFAULT-VALUE})") int offset) {
        JobState st;
        try {
            st = JobState.valueOf(state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err().println("--state must be one of waiting, delayed, retrying, active, completed, dead: '" + state + "'");
            return 2;
        }
        return run(queues -> {
            List<JobInfo> jobs = queues.get(queueName(queue)).list(st, offset, limit);
            if (jobs.isEmpty()) out().println("(no " + st.name().toLowerCase(Locale.ROOT) + " jobs)");
            for (JobInfo j : jobs) {
                out().printf("%s  %-8s attempts=%d/%d  %s%s%n", j.id(), j.type(), j.attempts(), j.maxAttempts(),
                        j.state().name().toLowerCase(Locale.ROOT), j.error() == null ? "" : "  error: " + j.error());
            }
            return 0;
        });
    }

    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = "Moves a dead job (or, with --all-dead, every dead job) back to waiting.")
    int retry(@Parameters(index = "0", paramLabel = "QUEUE") String queue,
              @Parameters(index = "1", arity = "0..1", paramLabel = "JOB_ID") String id,
              @Option(names = "--all-dead", description = "retry every dead job of the queue") boolean allDead) {
        if ((id == null) == !allDead) {
            err().println("give either a JOB_ID or --all-dead");
            return 2;
        }
        return run(queues -> {
            JobQueue q = queues.get(queueName(queue));
            if (allDead) {
                out().println("moved " + q.retryAllDead() + " dead jobs of " + q.name() + " back to waiting");
                return 0;
            }
            if (q.get(id).isEmpty()) return notFound(q, id);
            if (!q.retry(id)) {
                err().println("job " + id + " is " + q.get(id).map(j -> j.state().name().toLowerCase(Locale.ROOT)).orElse("gone")
                        + ", not dead; only dead jobs can be retried");
                return 1;
            }
            out().println("job " + id + " moved back to waiting");
            return 0;
        });
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Deletes a job that is not running.")
    int remove(@Parameters(index = "0", paramLabel = "QUEUE") String queue, @Parameters(index = "1", paramLabel = "JOB_ID") String id) {
        return run(queues -> {
            JobQueue q = queues.get(queueName(queue));
            try {
                if (!q.remove(id)) return notFound(q, id);
            } catch (QueueException e) {
                err().println(e.getMessage());
                return 1;
            }
            out().println("job " + id + " removed");
            return 0;
        });
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Pauses a queue: workers finish running jobs but start no new ones.")
    int pause(@Parameters(index = "0", paramLabel = "QUEUE") String queue) {
        return run(queues -> {
            JobQueue q = queues.get(queueName(queue));
            out().println(q.pause() ? q.name() + " paused" : q.name() + " was already paused");
            return 0;
        });
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resumes a paused queue.")
    int resume(@Parameters(index = "0", paramLabel = "QUEUE") String queue) {
        return run(queues -> {
            JobQueue q = queues.get(queueName(queue));
            out().println(q.resume() ? q.name() + " resumed" : q.name() + " was not paused");
            return 0;
        });
    }

    private int notFound(JobQueue q, String id) {
        err().println("no job '" + id + "' in queue " + q.name());
        return 1;
    }

    private static String queueName(String queue) {
        if (!ServerQueues.NAMES.contains(queue)) {
            throw new IllegalArgumentException("unknown queue '" + queue + "'; queues: " + ServerQueues.NAMES);
        }
        return queue;
    }

    private static List<JobQueue> select(Map<String, JobQueue> queues, String queue) {
        return queue == null ? List.copyOf(queues.values()) : List.of(queues.get(queueName(queue)));
    }

    private interface Action {
        int run(Map<String, JobQueue> queues);
    }

    private int run(Action action) {
        RedkitConfig config;
        try {
            config = RedkitConfig.fromEnv(env);
        } catch (RedkitConfigException e) {
            err().println("configuration error: " + e.getMessage());
            return 2;
        }
        if (config.needsEmbeddedRedis()) {
            err().println("REDIS_URL (or REDKIT_QUEUE_URL) is not set: point it at the Redis your server uses, e.g. "
                    + "REDIS_URL=redis://127.0.0.1:6379 (serve prints the embedded Redis's URL when it starts one)");
            return 2;
        }
        try (Redkit redkit = Redkit.create(config)) {
            return action.run(new ServerQueues(redkit).all());
        } catch (RedisUnavailableException e) {
            err().println("Redis is unavailable: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err().println(e.getMessage());
            return 2;
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
