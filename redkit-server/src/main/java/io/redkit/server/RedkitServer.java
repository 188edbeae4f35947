package io.redkit.server;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.redkit.core.Redkit;
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

    private RedkitServer(Server jetty, Redkit redkit, Database database, PrometheusMeterRegistry registry) {
        this.jetty = jetty;
        this.redkit = redkit;
        this.database = database;
        this.registry = registry;
    }

    /**
     * Connects to Redis (lazily) and PostgreSQL, applies the schema, seeds when asked and starts
     * listening on {@code host:port} (port 0 = any free port).
     */
    static RedkitServer start(RedkitConfig config, String databaseUrl, String host, int port, boolean seed) throws Exception {
        return start(config, databaseUrl, ServerSettings.fromEnv(Map.of()).withListen(host, port), seed);
    }

    /** Starts with every server setting given. */
    static RedkitServer start(RedkitConfig config, String databaseUrl, ServerSettings settings, boolean seed) throws Exception {
        String host = settings.host;
        int port = settings.port;
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);

        Database database = Database.open(databaseUrl, 16);
        Redkit redkit = null;
        try {
            var applied = database.migrate();
            if (!applied.isEmpty()) LOG.info("applied schema migrations {}", applied);
            if (seed) {
                int n = Seeder.seed(database.dataSource());
                if (n > 0) LOG.info("seeded {} demo products and the demo user {}", n, Seeder.DEMO_EMAIL);
            }
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
            new ProductsApi(database.dataSource()).register(router);

            SessionStore sessions = SessionStore.create(redkit, SessionOptions.defaults());
            RatePolicies policies = RatePolicies.fromEnv();
            RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().meterRegistry(registry).build());
            KeyResolver client = KeyResolvers.clientIp(settings.trustedProxies);
            new AuthApi(new Users(database.dataSource()), limiter, policies, client, email -> { }).register(router);
            Redkit rk = redkit;
            router.get("/api/doctor", ex -> {
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
            });
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
            ctx.addFilter(new FilterHolder(new RequestIdFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
            ctx.addFilter(new FilterHolder(new SessionFilter(sessions, SessionFilterOptions.builder()
                    .secure(settings.secureCookies).build())), "/*", EnumSet.of(DispatcherType.REQUEST));
            ctx.addFilter(new FilterHolder(new UserKeyFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
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
            return new RedkitServer(jetty, redkit, database, registry);
        } catch (Exception e) {
            if (redkit != null) redkit.close();
            database.close();
            throw e;
        }
    }

    /** The port it listens on. */
    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
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

    @Override
    public void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("HTTP server did not stop cleanly", e);
        }
        redkit.close();
        database.close();
        registry.close();
    }
}
