package io.redkit.server.deploy;

import io.redkit.cache.CacheOptions;
import io.redkit.cache.RedisCache;
import io.redkit.cache.RedisCacheManager;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.health.Doctor;
import io.redkit.core.health.DoctorReport;
import io.redkit.queue.JobOptions;
import io.redkit.queue.JobQueue;
import io.redkit.queue.JobState;
import io.redkit.queue.Worker;
import io.redkit.queue.WorkerOptions;
import io.redkit.ratelimit.Decision;
import io.redkit.ratelimit.RateLimiter;
import io.redkit.ratelimit.RatePolicies;
import io.redkit.ratelimit.RatePolicy;
import io.redkit.session.ClientInfo;
import io.redkit.session.Session;
import io.redkit.session.SessionStore;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The examples of docs/architecture.md ("Using the capabilities") are the regions between
 * {@code // example: NAME} and {@code // end} below: they compile with the build, run against a
 * real Redis here, and a test checks the page shows them verbatim, so they cannot rot.
 */
@WithRedis
class DocExamplesTest {
    private static final Path SOURCE = DeployFiles.root()
            .resolve("redkit-server/src/test/java/io/redkit/server/deploy/DocExamplesTest.java");
    private static final Path DOC = DeployFiles.root().resolve("docs/architecture.md");

    @Test
    void core(RedisServer redis) {
        String redisUrl = redis.url();
        // example: core
        RedkitConfig config = RedkitConfig.builder().redisUrl(redisUrl)   // or RedkitConfig.fromEnv()
                .connectTimeout(Duration.ofSeconds(10))                  // generous for a cold JVM
                .build();
        try (Redkit redkit = Redkit.create(config)) {
            DoctorReport report = Doctor.inspect(redkit);   // each namespace: UP/DOWN, version, memory, policy
            System.out.print(report.format());
            assertThat(report.allUp()).isTrue();
        }
        // end
    }

    @Test
    void rateLimiting(RedisServer redis) {
        try (Redkit redkit = Redkit.create(patient(redis))) {
            // example: ratelimit
            RateLimiter limiter = RateLimiter.create(redkit);               // one per process, shared
            RatePolicy login = RatePolicies.fromEnv().get("login");         // 5 failed attempts per 15 minutes
            Decision d = limiter.check(login, "alice@example.com|203.0.113.7");
            if (!d.allowed()) {
                // answer 429 with Retry-After: d.retryAfter().toSeconds()
            }
            // end
            List<Decision> decisions = new ArrayList<>(List.of(d));
            for (int i = 0; i < 5; i++) {
                decisions.add(limiter.check(login, "alice@example.com|203.0.113.7"));
            }
            assertThat(decisions.subList(0, 5)).allMatch(Decision::allowed);
            assertThat(decisions.get(4).remaining()).isZero();
            assertThat(decisions.get(5).allowed()).isFalse();
            assertThat(decisions.get(5).retryAfter()).isPositive();
        }
    }

    @Test
    void sessions(RedisServer redis) {
        try (Redkit redkit = Redkit.create(patient(redis))) {
            // example: sessions
            try (SessionStore store = SessionStore.create(redkit)) {
                ClientInfo browser = ClientInfo.of("203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Firefox/126.0");
                Session session = store.newSession(browser);
                session.set("theme", "dark");
                store.login(session, "user-42");          // new id (fixation protection), data kept, saved
                String cookieValue = session.id();        // SessionFilter sends it as the cookie for you

                Optional<Session> loaded = store.load(cookieValue, browser);
                store.invalidate(loaded.orElseThrow());   // log out: the id stops working everywhere at once
                assertThat(store.load(cookieValue, browser)).isEmpty();
            }
            // end
        }
    }

    /** A row of the example's "database". */
    record Product(long id, String name) {
    }

    @Test
    void queue(RedisServer redis) {
        List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Redkit redkit = Redkit.create(patient(redis))) {
            // example: queue
            JobQueue emails = JobQueue.create(redkit, "emails");
            String id = emails.add("welcome", Map.of("to", "ada@example.com"), JobOptions.builder()
                    .maxAttempts(5)                                  // then dead, with the error kept
                    .idempotencyKey("welcome:ada@example.com")       // a second add returns the same id
                    .build());
            Worker worker = emails.worker(job -> {
                Map<?, ?> to = job.payload(Map.class);
                sent.add((String) to.get("to"));                     // throw to retry with backoff
                return "sent";                                       // stored as the job's result
            }, WorkerOptions.builder().concurrency(20).build());     // runs until worker.close(),
                                                                     // which lets running jobs finish
            // end
            try {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                        .until(() -> emails.get(id).map(j -> j.state() == JobState.COMPLETED).orElse(false));
                assertThat(worker.isRunning()).isTrue();
            } finally {
                worker.close();
            }
            assertThat(sent).containsExactly("ada@example.com");
            assertThat(emails.add("welcome", Map.of("to", "ada@example.com"),
                    JobOptions.builder().idempotencyKey("welcome:ada@example.com").build())).isEqualTo(id);
        }
    }

    @Test
    void cache(RedisServer redis) {
        Map<Long, Product> database = new java.util.concurrent.ConcurrentHashMap<>(Map.of(7L, new Product(7, "Lamp")));
        java.util.concurrent.atomic.AtomicInteger queries = new java.util.concurrent.atomic.AtomicInteger();
        try (Redkit redkit = Redkit.create(patient(redis))) {
            // example: cache
            RedisCacheManager caches = RedisCacheManager.create(redkit);   // one per process; close() at shutdown
            RedisCache<Product> products = caches.cache("products", Product.class, CacheOptions.builder()
                    .ttl(Duration.ofMinutes(10)).jitter(0.1)      // keys written together expire apart
                    .negativeTtl(Duration.ofSeconds(30))          // "no such row" is cached too
                    .nearCache(true)                              // in-process copy, kept coherent by Redis
                    .build());
            Optional<Product> p = products.getOrLoad("7", Set.of("table:products"), id -> {
                queries.incrementAndGet();
                return database.get(Long.parseLong(id));          // null = absent; one load per key at a time
            });
            products.getOrLoad("7", Set.of("table:products"), id -> database.get(Long.parseLong(id)));  // a hit
            caches.invalidateTag("table:products");               // O(1), however many values carry the tag
            // end
            try {
                assertThat(p).contains(new Product(7, "Lamp"));
                assertThat(queries.get()).isEqualTo(1);
                assertThat(products.stats().hits()).isGreaterThanOrEqualTo(1);
                assertThat(products.lookup("7").isHit()).isFalse();
            } finally {
                caches.close();
            }
        }
    }

    /** Timeouts that hold on a loaded CI machine; the examples do not depend on them. */
    private static RedkitConfig patient(RedisServer redis) {
        return RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofSeconds(10)).commandTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void thePageShowsExactlyTheseExamples() throws IOException {
        Map<String, String> inCode = regions(Files.readString(SOURCE),
                Pattern.compile("(?m)^[ \\t]*// example: (\\S+)\\n(.*?)^[ \\t]*// end$", Pattern.DOTALL));
        Map<String, String> onPage = regions(Files.readString(DOC),
                Pattern.compile("(?m)^<!-- example: (\\S+) -->\\n```java\\n(.*?)^```$", Pattern.DOTALL));
        assertThat(inCode).containsOnlyKeys("core", "ratelimit", "sessions", "queue", "cache");
        assertThat(onPage).isEqualTo(inCode);
    }

    private static Map<String, String> regions(String text, Pattern pattern) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            out.put(m.group(1), dedent(m.group(2)));
        }
        return out;
    }

    /** Removes the indentation common to all non-blank lines and trailing blanks. */
    private static String dedent(String block) {
        List<String> lines = block.lines().toList();
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l.isBlank() ? "" : l.substring(indent).stripTrailing()).append('\n');
        }
        return sb.toString().strip();
    }
}
