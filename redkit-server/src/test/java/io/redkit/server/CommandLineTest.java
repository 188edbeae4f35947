package io.redkit.server;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.queue.JobOptions;
import io.redkit.queue.JobQueue;
import io.redkit.queue.JobState;
import io.redkit.queue.Worker;
import io.redkit.queue.WorkerOptions;
import io.redkit.testkit.PostgresServer;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithPostgres;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The {@code redkit} subcommands: queue operations in process, serve and worker as real processes stopped by SIGTERM. */
@WithRedis
@WithPostgres
class CommandLineTest {
    private static Redkit redkit;
    private static String redisUrl;
    private static String databaseUrl;

    @BeforeAll
    static void start(RedisServer redis, PostgresServer pg) {
        redisUrl = redis.url();
        databaseUrl = pg.url(pg.createDatabase());
        redkit = Redkit.create(RedkitConfig.builder().redisUrl(redisUrl).build());
    }

    @AfterAll
    static void stop() {
        if (redkit != null) redkit.close();
    }

    record Run(int exit, String out, String err) {
    }

    private static Run queue(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new QueueCommand(env));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Run queue(String... args) {
        return queue(Map.of("REDIS_URL", redisUrl), args);
    }

    @Test
    void queueStatsListRetryRemovePauseResume() throws Exception {
        JobQueue q = JobQueue.create(redkit, "default");
        String dead = q.add("fail", null, JobOptions.builder().maxAttempts(1).build());
        Worker w = q.worker(job -> { throw new IllegalStateException("boom"); }, WorkerOptions.builder().concurrency(1).build());
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> q.get(dead).orElseThrow().state() == JobState.DEAD);
        } finally {
            w.close();
        }
        String waiting = q.add("report", null);

        Run stats = queue("stats");
        assertThat(stats.exit()).as(stats.err()).isZero();
        assertThat(stats.out()).contains("emails", "reports", "default", "dead=1", "waiting=1");
        assertThat(queue("stats", "default").out()).doesNotContain("emails");

        Run list = queue("list", "default", "--state", "dead");
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains(dead, "fail", "boom");
        assertThat(queue("list", "default").out()).contains(waiting);

        Run retry = queue("retry", "default", dead);
        assertThat(retry.exit()).as(retry.err()).isZero();
        assertThat(q.get(dead).orElseThrow().state()).isEqualTo(JobState.WAITING);
        Run notDead = queue("retry", "default", waiting);
        assertThat(notDead.exit()).isEqualTo(1);
        assertThat(notDead.err()).contains("not dead");

        assertThat(queue("pause", "default").out()).contains("default paused");
        assertThat(q.counts().paused()).isTrue();
        assertThat(queue("pause", "default").out()).contains("already paused");
        assertThat(queue("resume", "default").out()).contains("default resumed");
        assertThat(q.counts().paused()).isFalse();

        assertThat(queue("remove", "default", waiting).exit()).isZero();
        assertThat(q.get(waiting)).isEmpty();
        Run missing = queue("remove", "default", waiting);
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("no job '" + waiting + "'");
        q.remove(dead);
    }

    private static Run user(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new UserCommand(env));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void userGrantAdminAndRevokeAdminSetTheFlagOfAnExistingAccount() throws Exception {
        String email = "cli-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        createSchema();
        try (Database db = Database.open(databaseUrl, 1)) {
            Users users = new Users(db.dataSource());
            users.create(email, Passwords.hash("correct horse battery")).orElseThrow();
            Map<String, String> env = Map.of("DATABASE_URL", databaseUrl);

            Run grant = user(env, "grant-admin", email.toUpperCase(java.util.Locale.ROOT));
            assertThat(grant.exit()).as(grant.err()).isZero();
            assertThat(grant.out()).contains(email + " is now an admin");
            assertThat(users.byEmail(email).orElseThrow().adminFlag()).isTrue();
            assertThat(user(env, "grant-admin", email).out()).contains("already an admin");

            Run revoke = user(Map.of("DATABASE_URL", databaseUrl, "REDKIT_ADMIN_EMAILS", email), "revoke-admin", email);
            assertThat(revoke.exit()).as(revoke.err()).isZero();
            assertThat(revoke.out()).contains(email + " is no longer an admin", "REDKIT_ADMIN_EMAILS lists " + email);
            assertThat(users.byEmail(email).orElseThrow().adminFlag()).isFalse();

            Run missing = user(env, "grant-admin", "nobody-" + email);
            assertThat(missing.exit()).isEqualTo(1);
            assertThat(missing.err()).contains("no account 'nobody-" + email + "'", "register it first");
        }
        Run noUrl = user(Map.of(), "grant-admin", email);
        assertThat(noUrl.exit()).isEqualTo(2);
        assertThat(noUrl.err()).contains("DATABASE_URL");
        Run noEmail = user(Map.of("DATABASE_URL", databaseUrl), "grant-admin");
        assertThat(noEmail.exit()).isEqualTo(2);
    }

    @Test
    void badUsageSaysWhatIsAllowed() {
        Run unknown = queue("stats", "nope");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown queue 'nope'", "emails");
        Run state = queue("list", "default", "--state", "zombie");
        assertThat(state.exit()).isEqualTo(2);
        assertThat(state.err()).contains("waiting, delayed, retrying, active, completed, dead");
        Run noUrl = queue(Map.of(), "stats");
        assertThat(noUrl.exit()).isEqualTo(2);
        assertThat(noUrl.err()).contains("REDIS_URL");
        Run both = queue("retry", "default");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("--all-dead");
    }

    @Test
    void everySubcommandHasHelp() {
        for (String sub : List.of("serve", "worker", "queue", "user", "doctor")) {
            StringWriter out = new StringWriter();
            CommandLine cli = new CommandLine(new RedkitCommand());
            cli.setOut(new PrintWriter(out, true));
            assertThat(cli.execute(sub, "--help")).isZero();
            assertThat(out.toString()).as(sub).contains("Usage: redkit " + sub);
        }
        for (String sub : List.of("stats", "list", "retry", "remove", "pause", "resume")) {
            StringWriter out = new StringWriter();
            CommandLine cli = new CommandLine(new RedkitCommand());
            cli.setOut(new PrintWriter(out, true));
            assertThat(cli.execute("queue", sub, "--help")).isZero();
            assertThat(out.toString()).as(sub).contains("Usage: redkit queue " + sub);
        }
        for (String sub : List.of("grant-admin", "revoke-admin")) {
            StringWriter out = new StringWriter();
            CommandLine cli = new CommandLine(new RedkitCommand());
            cli.setOut(new PrintWriter(out, true));
            assertThat(cli.execute("user", sub, "--help")).isZero();
            assertThat(out.toString()).as(sub).contains("Usage: redkit user " + sub, "EMAIL");
        }
    }

    /** A real {@code redkit} process with the test's class path. */
    private static Process launch(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RedkitCommand.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("REDKIT_") || k.equals("REDIS_URL") || k.equals("DATABASE_URL"));
        pb.environment().putAll(env);
        return pb.start();
    }

    private static final String EOF = "\u0000EOF";

    /** Collects a process's output lines as they come, then {@link #EOF}. */
    private static LinkedBlockingQueue<String> lines(Process p) {
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (java.io.IOException ignored) {
                // the process ended
            }
            lines.add(EOF);
        }, "process-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String awaitLine(LinkedBlockingQueue<String> lines, String contains, StringBuilder seen) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String l = lines.poll(1, TimeUnit.SECONDS);
            if (l == null) continue;
            seen.append(l).append('\n');
            if (l.contains(contains)) return l;
        }
        throw new AssertionError("no line containing '" + contains + "' in:\n" + seen);
    }

    private static void assertStoppedCleanly(Process p, LinkedBlockingQueue<String> lines, StringBuilder seen) throws Exception {
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
        for (String l; !(l = lines.take()).equals(EOF); ) seen.append(l).append('\n');
        assertThat(p.exitValue()).as(seen.toString()).isZero();
        assertThat(seen.toString()).contains("stopping:", "stopped");
    }

    @Test
    void serveAnswersThenStopsOnSigtermWithExitCode0() throws Exception {
        Process p = launch(Map.of("REDIS_URL", redisUrl, "DATABASE_URL", databaseUrl, "PORT", "0", "HOST", "127.0.0.1",
                "REDKIT_WORKER_CONCURRENCY", "2", "REDKIT_ADMIN_EMAILS", "ops@example.com"), "serve", "--seed");
        try {
            LinkedBlockingQueue<String> lines = lines(p);
            StringBuilder seen = new StringBuilder();
            String listening = awaitLine(lines, "listening on", seen);
            // a real database: the seeded demo admin and the listed admin get random passwords, shown once
            String demo = awaitLine(lines, "demo login: " + Seeder.DEMO_EMAIL, seen);
            assertThat(demo).doesNotContain(Seeder.DEMO_PASSWORD).contains("(admin; a random password, shown only this once)");
            assertThat(awaitLine(lines, "admin login: ops@example.com / ", seen)).contains("shown only this once");
            Matcher m = Pattern.compile(":(\\d+)/").matcher(listening);
            assertThat(m.find()).as(listening).isTrue();
            HttpResponse<String> live = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + m.group(1) + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            p.toHandle().destroy(); // SIGTERM (Process.destroy() would also close our end of its output)
            assertStoppedCleanly(p, lines, seen);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void workerRunsJobsThenStopsOnSigtermWithExitCode0() throws Exception {
        Process p = launch(Map.of("REDIS_URL", redisUrl, "DATABASE_URL", databaseUrl), "worker", "--concurrency", "3");
        try {
            LinkedBlockingQueue<String> lines = lines(p);
            StringBuilder seen = new StringBuilder();
            awaitLine(lines, "consuming", seen);
            // the schema is the server's; the worker's report job only reads products (an empty table is fine)
            createSchema();
            JobQueue reports = JobQueue.create(redkit, "reports");
            String id = reports.add("report", null);
            await().atMost(Duration.ofSeconds(20)).until(() -> reports.get(id).orElseThrow().state() == JobState.COMPLETED);
            p.toHandle().destroy(); // SIGTERM (Process.destroy() would also close our end of its output)
            assertStoppedCleanly(p, lines, seen);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void workerWithoutUrlsRefusesToStart() throws Exception {
        Process p = launch(Map.of(), "worker");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("REDIS_URL", "DATABASE_URL");
    }

    @Test
    void serveWithABadRateLimitSettingExits2BeforeStartingAnything() throws Exception {
        Process p = launch(Map.of("REDKIT_RATELIMIT_API", "lots"), "serve");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(2);
        assertThat(out).contains("REDKIT_RATELIMIT_API", "lots").doesNotContain("embedded");
    }

    private static void createSchema() throws Exception {
        try (Database db = Database.open(databaseUrl, 1)) {
            db.migrate();
        }
    }
}
