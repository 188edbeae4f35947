package io.redkit.bench.session;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.session.ClientInfo;
import io.redkit.session.Session;
import io.redkit.session.SessionOptions;
import io.redkit.session.SessionStore;
import io.redkit.testkit.RedisServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.StringRedisSerializer;
import org.springframework.session.data.redis.RedisIndexedSessionRepository;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Create, load-and-touch and attribute update, each as one request of a web application does it:
 *
 * <ul>
 * <li><b>create</b>: a new session with one attribute (a CSRF token), saved;</li>
 * <li><b>loadAndTouch</b>: find a session by id and record the access, what every request with a
 *     session cookie costs (Spring Session's filter sets the last access time and saves);</li>
 * <li><b>updateAttribute</b>: load, change one attribute, save.</li>
 * </ul>
 *
 * <p>{@code impl}: {@code redkit} (defaults: last access written at most once a minute),
 * {@code redkit-touch-always} (last access written on every load, the same work as the peer) and
 * {@code spring} ({@code RedisIndexedSessionRepository} 4.0.4 on Lettuce with its default JDK
 * serialization). Both have a 10 s command timeout and use one shared Lettuce connection to database 2 of the same embedded Redis
 * 6.2, which the benchmark starts. Sessions are picked uniformly from {@link #SESSIONS} prefilled
 * ones. Run with {@code -t 1}, {@code -t 16} and {@code -t 64}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SessionBench {
    /** Sessions prefilled for the load and update benchmarks. */
    public static final int SESSIONS = 10_000;
    private static final ClientInfo CLIENT = ClientInfo.of("203.0.113.7",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36");

    static {
        // the bench jar has no logging configuration of its own; logback's default (DEBUG) would
        // measure Netty's and Spring's debug output
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
    }

    @Param({"redkit", "redkit-touch-always", "spring"})
    public String impl;

    private RedisServer redis;
    private Redkit redkit;
    private SessionStore store;
    private LettuceConnectionFactory factory;
    private RedisIndexedSessionRepository spring;
    private String[] ids;

    @Setup(Level.Trial)
    public void setUp() {
        redis = RedisServer.startDefault();
        switch (impl) {
            case "redkit":
            case "redkit-touch-always": {
                // a generous timeout: the machine is shared, and the peer's Lettuce waits up to 60 s
                redkit = Redkit.create(RedkitConfig.builder().redisUrl(redis.url()).commandTimeout(Duration.ofSeconds(10)).build());
                SessionOptions.Builder b = SessionOptions.builder();
                if (impl.equals("redkit-touch-always")) {
                    b.touchInterval(Duration.ZERO);
                }
                store = SessionStore.create(redkit, b.build());
                break;
            }
            case "spring": {
                RedisStandaloneConfiguration conf = new RedisStandaloneConfiguration(redis.host(), redis.port());
                conf.setDatabase(2);
                factory = new LettuceConnectionFactory(conf, LettuceClientConfiguration.builder()
                        .commandTimeout(Duration.ofSeconds(10)).build());
                factory.afterPropertiesSet();
                factory.start();
                RedisTemplate<String, Object> template = new RedisTemplate<>();
                template.setConnectionFactory(factory);
                template.setKeySerializer(new StringRedisSerializer());
                template.setHashKeySerializer(new StringRedisSerializer());
                template.afterPropertiesSet();
                spring = new RedisIndexedSessionRepository(template);
                spring.setDefaultMaxInactiveInterval(Duration.ofMinutes(30));
                break;
            }
            default:
                throw new IllegalArgumentException("impl must be redkit, redkit-touch-always or spring: " + impl);
        }
        ids = new String[SESSIONS];
        for (int i = 0; i < SESSIONS; i++) {
            ids[i] = create();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (store != null) {
            store.close();
        }
        if (redkit != null) {
            redkit.close();
        }
        if (factory != null) {
            factory.destroy();
        }
        redis.close();
    }

    private String create() {
        String token = Long.toHexString(ThreadLocalRandom.current().nextLong());
        if (spring != null) {
            RedisIndexedSessionRepository.RedisSession s = spring.createSession();
            s.setAttribute("csrf", token);
            spring.save(s);
            return s.getId();
        }
        Session s = store.newSession(CLIENT);
        s.set("csrf", token);
        store.save(s);
        return s.id();
    }

    private String anyId() {
        return ids[ThreadLocalRandom.current().nextInt(ids.length)];
    }

    @Benchmark
    public String create_() {
        return create();
    }

    @Benchmark
    public Object loadAndTouch() {
        String id = anyId();
        if (spring != null) {
            RedisIndexedSessionRepository.RedisSession s = spring.findById(id);
            s.setLastAccessedTime(Instant.now());
            spring.save(s);
            return s;
        }
        return store.load(id, CLIENT).orElseThrow();
    }

    @Benchmark
    public Object updateAttribute() {
        String id = anyId();
        int value = ThreadLocalRandom.current().nextInt();
        if (spring != null) {
            RedisIndexedSessionRepository.RedisSession s = spring.findById(id);
            s.setLastAccessedTime(Instant.now());
            s.setAttribute("counter", value);
            spring.save(s);
            return s;
        }
        Session s = store.load(id, CLIENT).orElseThrow();
        s.set("counter", value);
        store.save(s);
        return s;
    }
}
