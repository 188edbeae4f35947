package io.redkit.server;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.redkit.cache.QueryCache;
import io.redkit.cache.RedisCacheManager;
import io.redkit.core.Redkit;
import io.redkit.queue.Worker;
import io.redkit.server.http.HttpMetricsFilter;
import io.redkit.core.RedkitConfig;
import io.redkit.core.health.Doctor;
import io.redkit.core.health.DoctorReport;
import io.redkit.core.health.DoctorWarning;
import io.redkit.ratelimit.RateLimiter;
import io.redkit.ratelimit.RateLimiterOptions;
import io.redkit.ratelimit.RatePolicies;
import io.redkit.server.http.JsonErrorHandler;
import io.redkit.server.http.UserKeyFilter;
import io.redkit.session.SessionOptions;
import io.redkit.session.SessionStore;
import io.redkit.web.ratelimit.KeyResolver;
import io.redkit.web.ratelimit.KeyResolvers;
import io.redkit.web.ratelimit.RateLimitFilter;
import io.redkit.web.ratelimit.RateLimitRoute;
import io.redkit.web.session.SessionFilter;
import io.redkit.web.session.SessionFilterOptions;
import io.redkit.server.http.RequestIdFilter;
import io.redkit.server.http.Router;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference service: an HTTP API in front of PostgreSQL and Redis. Start with
 * {@link #start}; {@link #close()} stops accepting requests, lets in-flight ones finish (up to
 * {@link #SHUTDOWN_GRACE}) and releases Redis, the database and every thread.
 */
public final class RedkitServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedkitServer.class);
    /** How long in-flight requests get to finish on shutdown. */
    public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private final Server jetty;
    private final Redkit redkit;
    private final Database database;
    private final PrometheusMeterRegistry registry;
    private final Parts parts;
    private final Users users;
    private final List<Login> createdLogins;

    /** An account {@link #start} created, with its password: shown once, never stored in clear. */
    record Login(String email, String password) {}

    /** What start() opened besides Jetty, Redis and the database, closed in reverse order. */
    private static final class Parts {
        ServerQueues queues;
        Worker worker;
        RedisCacheManager cacheManager;
        QueryCache queryCache;
        SessionStore sessions;

        void close() {
            if (worker != null) worker.close();
            if (queryCache != null) queryCache.close();
            if (cacheManager != null) cacheManager.close();
            if (sessions != null) sessions.close();
        }
    }

    private RedkitServer(Server jetty, Redkit redkit, Database database, PrometheusMeterRegistry registry, Parts parts,
                         Users users, List<Login> createdLogins) {
        this.users = users;
        this.createdLogins = List.copyOf(createdLogins);
        this.jetty = jetty;
        this.redkit = redkit;
        this.database = database;
        this.registry = registry;
        this.parts = parts;
    }

    /**
     * Connects to Redis (lazily) and PostgreSQL, applies the schema, seeds when asked (as the
     * embedded database is: the demo admin has the well-known password) and starts listening on
     * {@code host:port} (port 0 = any free port).
     */
    static RedkitServer start(RedkitConfig config, String databaseUrl, String host, int port, boolean seed) throws Exception {
        return start(config, databaseUrl, ServerSettings.fromEnv(Map.of()).withListen(host, port), seed);
    }

    /** Starts with every server setting given; {@code seed} seeds as for the embedded database. */
    static RedkitServer start(RedkitConfig config, String databaseUrl, ServerSettings settings, boolean seed) throws Exception {
        return start(config, databaseUrl, settings, seed ? Seeder.Mode.EMBEDDED : Seeder.Mode.NONE);
    }

    /**
     * Starts with every server setting given. Seeds as {@code seed} says, then creates each of
     * {@link ServerSettings#adminEmails} that has no account yet, with a random password (so nobody
     * else can register it); {@link #createdLogins()} has the accounts created with their passwords.
     */
    static RedkitServer start(RedkitConfig config, String databaseUrl, ServerSettings settings, Seeder.Mode seed) throws Exception {
        String host = settings.host;
        int port = settings.port;
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);

        Database database = Database.open(databaseUrl, 16 + Math.min(settings.workerConcurrency, 32));
        Redkit redkit = null;
        Parts parts = new Parts();
        try {
            var applied = database.migrate();
            if (!applied.isEmpty()) LOG.info("applied schema migrations {}", applied);
            Users users = new Users(database.dataSource(), settings.adminEmails);
            Access access = new Access(users);
            List<Login> logins = new ArrayList<>();
            Seeder.Seeded seeded = Seeder.seed(database.dataSource(), seed);
            if (seeded.products() > 0) LOG.info("seeded {} demo products", seeded.products());
            seeded.createdAdminPassword().ifPresent(pw -> {
                LOG.info("created the demo admin {}", Seeder.DEMO_EMAIL);
                logins.add(new Login(Seeder.DEMO_EMAIL, pw));
            });
            logins.addAll(Seeder.listedAdmins(users, settings.adminEmails));
            redkit = Redkit.create(config, registry);

            Router router = new Router();
            new HealthApi(redkit, database.dataSource()).register(router);
            PrometheusMeterRegistry reg = registry;
            router.get("/metrics", ex -> {
                byte[] text = reg.scrape().getBytes(StandardCharsets.UTF_8);
                ex.response().setContentType("text/plain; version=0.0.4; charset=utf-8");
                ex.response().setStatus(200);
                ex.response().getOutputStream().write(text);
            });
            if (settings.queryCache) {
                parts.cacheManager = RedisCacheManager.builder(redkit).meterRegistry(registry).build();
                // a catalogue is read far more than written: a near cache (kept coherent by Redis's
                // client tracking) answers hits without a Redis round trip
                parts.queryCache = QueryCache.builder(parts.cacheManager, database.dataSource())
                        .options(io.redkit.cache.CacheOptions.builder().nearCache(true).nearCacheMaxEntries(50_000).build())
                        .build();
                // changes made outside the API (psql, other services) reach the cache through these
                parts.queryCache.installTriggers(ProductsApi.TABLES);
                parts.queryCache.startListening();
            }
            new ProductsApi(database.dataSource(), parts.queryCache, access).register(router);

            parts.queues = new ServerQueues(redkit);
            parts.queues.bindDepthGauges(registry);
            new QueuesApi(parts.queues.all(), access, new UserJobs(database.dataSource(), parts.queues.all(), settings.userQuota))
                    .register(router);
            if (settings.workerConcurrency > 0) {
                parts.worker = parts.queues.startWorker(database.dataSource(), settings.workerConcurrency, registry);
            }

            SessionStore sessions = SessionStore.create(redkit, SessionOptions.defaults());
            parts.sessions = sessions;
            RatePolicies policies = RatePolicies.fromEnv();
            RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().meterRegistry(registry).build());
            KeyResolver client = KeyResolvers.clientIp(settings.trustedProxies);
            ServerQueues queues = parts.queues;
            new AuthApi(users, limiter, policies, client, email -> queues.get("emails").add("email",
                    Map.of("to", email, "subject", "Your password reset request",
                            "body", "Someone asked to reset the password of this account. If it was not you, ignore this message."),
                    io.redkit.queue.JobOptions.builder().maxAttempts(5).build()), registry).register(router);
            new StatsApi(parts.queryCache, registry, policies, limiter, sessions, access).register(router);
            StatsApi.bindSessionGauge(sessions, registry);
            Redkit rk = redkit;
            router.get("/api/doctor", access.adminOnly(ex -> {
                DoctorReport report = Doctor.inspect(rk);
                List<Map<String, Object>> warnings = new ArrayList<>();
                for (DoctorWarning w : report.warnings()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("namespace", w.namespace().id());
                    m.put("code", w.code().name());
                    m.put("message", w.message());
                    m.put("fix", w.fix());
                    warnings.add(m);
                }
                List<Map<String, Object>> health = new ArrayList<>();
                report.health().forEach(h -> health.add(h.toMap()));
                ex.json(200, Map.of("health", health, "warnings", warnings));
            }));
            new StaticAssets().register(router);

            QueuedThreadPool threads = new QueuedThreadPool(200, 8);
            threads.setName("redkit-http");
            Server jetty = new Server(threads);
            ServerConnector connector = new ServerConnector(jetty);
            connector.setHost(host);
            connector.setPort(port);
            jetty.addConnector(connector);
            ServletContextHandler ctx = new ServletContextHandler();
            ctx.setContextPath("/");
            ctx.addFilter(new FilterHolder(new HttpMetricsFilter(registry)), "/*", EnumSet.of(DispatcherType.REQUEST));
            ctx.addFilter(new FilterHolder(new RequestIdFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
            ctx.addFilter(new FilterHolder(new SessionFilter(sessions, SessionFilterOptions.builder()
                    .secure(settings.secureCookies).build())), "/*", EnumSet.of(DispatcherType.REQUEST));
            ctx.addFilter(new FilterHolder(new UserKeyFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
            ctx.addFilter(new FilterHolder(new io.redkit.server.http.DenialAuditFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
            KeyResolver userOrClient = KeyResolvers.firstOf(KeyResolvers.requestAttribute(UserKeyFilter.ATTRIBUTE), client);
            ctx.addFilter(new FilterHolder(RateLimitFilter.builder(limiter).meterRegistry(registry)
                    .route(RateLimitRoute.builder("/api/auth/register").methods("POST")
                            .limit(policies.get("register"), client).build())
                    .route(RateLimitRoute.builder("/api/*").limit(policies.get("api"), userOrClient).build())
                    .build()), "/*", EnumSet.of(DispatcherType.REQUEST));
            ctx.addServlet(new ServletHolder("api", router), "/");
            ctx.setErrorHandler(new JsonErrorHandler());
            jetty.setErrorHandler(new JsonErrorHandler());
            jetty.setHandler(new GracefulHandler(ctx));
            jetty.setStopTimeout(SHUTDOWN_GRACE.toMillis());
            jetty.setStopAtShutdown(false);
            jetty.start();
            return new RedkitServer(jetty, redkit, database, registry, parts, users, logins);
        } catch (Exception e) {
            parts.close();
            if (redkit != null) redkit.close();
            database.close();
            throw e;
        }
    }

    /** The port it listens on. */
    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    /** Accounts this start created (the demo admin, listed admins), with their passwords: print them once. */
    List<Login> createdLogins() {
        return createdLogins;
    }

    Users users() {
        return users;
    }

    Redkit redkit() {
        return redkit;
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    /** True when this server runs a job worker. */
    boolean workerRunning() {
        return parts.worker != null;
    }

    /**
     * Stops gracefully: no new requests, in-flight requests finish (up to {@link #SHUTDOWN_GRACE}),
     * the worker finishes its running jobs (up to its shutdown timeout; jobs still running then are
     * handed back to the queue), then Redis, the database and every thread are released.
     */
    @Override
    public void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("HTTP server did not stop cleanly", e);
        }
        parts.close();
        redkit.close();
        database.close();
        registry.close();
    }
}
