package io.redkit.server;

import io.redkit.core.RedkitConfig;
import io.redkit.core.RedkitConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code redkit serve}: the HTTP API and dashboard. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Starts the reference server: the HTTP API in front of PostgreSQL and Redis.",
                "With no REDIS_URL it starts an embedded Redis; with no DATABASE_URL an embedded PostgreSQL with demo "
                        + "data (100,000 products and the admin " + Seeder.DEMO_EMAIL + ", whose login it prints). SIGTERM or Ctrl-C stops it "
                        + "gracefully: no new requests, in-flight requests and jobs finish, then Redis and the database are closed; exit code 0."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped normally", "1:failed to start", "2:the configuration is invalid"})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--port", description = "Port to listen on (default: $PORT, else 8080; 0 = any free port).")
    Integer port;

    @Option(names = "--seed", description = "Seed demo data even with DATABASE_URL set (default: only the embedded database is seeded).")
    boolean seed;

    @Override
    public Integer call() throws Exception {
        RedkitConfig config;
        ServerSettings settings;
        try {
            config = RedkitConfig.fromEnv();
            settings = ServerSettings.fromEnv(System.getenv());
            io.redkit.ratelimit.RatePolicies.fromEnv(); // a bad REDKIT_RATELIMIT_* stops us before anything starts
        } catch (RedkitConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            return 2;
        }
        GracefulStop stop = GracefulStop.install();
        EmbeddedServices services = EmbeddedServices.resolve(config, settings.databaseUrl, true, true, System.out);
        boolean doSeed = seed || (settings.seed != null ? settings.seed : services.embeddedDatabase());
        // only the embedded database (demo data, gone at exit) gets the well-known demo password
        Seeder.Mode mode = !doSeed ? Seeder.Mode.NONE : services.embeddedDatabase() ? Seeder.Mode.EMBEDDED : Seeder.Mode.RANDOM_PASSWORD;
        RedkitServer server;
        try {
            server = RedkitServer.start(services.config(), services.databaseUrl(),
                    settings.withListen(settings.host, port != null ? port : settings.port), mode);
        } catch (Exception e) {
            System.err.println("failed to start: " + e.getMessage());
            services.close();
            return 1;
        }
        String shownHost = settings.host.equals("0.0.0.0") ? "localhost" : settings.host;
        System.out.println("Redkit server listening on http://" + shownHost + ":" + server.port() + "/"
                + (server.workerRunning() ? " (with a worker of concurrency " + settings.workerConcurrency + ")" : " (no worker)"));
        boolean demoShown = false;
        for (RedkitServer.Login login : server.createdLogins()) {
            boolean demo = login.email().equals(Seeder.DEMO_EMAIL);
            demoShown |= demo;
            System.out.println((demo ? "demo login" : "admin login") + ": " + login.email() + " / " + login.password() + " (admin"
                    + (login.password().equals(Seeder.DEMO_PASSWORD) ? ")" : "; a random password, shown only this once)"));
        }
        if (doSeed && !demoShown) {
            System.out.println("demo login: " + Seeder.DEMO_EMAIL + " (admin; its password was printed when the account was created)");
        }
        stop.await();
        // in order: the server drains requests and jobs (still using Redis), then the embedded services stop
        System.out.println("stopping: finishing in-flight requests and jobs ...");
        server.close();
        services.close();
        System.out.println("stopped");
        stop.stopped();
        return 0;
    }
}
