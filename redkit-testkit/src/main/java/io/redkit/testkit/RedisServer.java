package io.redkit.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process on a free loopback port, in a temporary directory that is
 * removed when it is closed (also on JVM exit, including Ctrl-C). Start, stop, kill, suspend and
 * restart it on the same port to test what Redis failures do.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.builder().arg("--maxmemory-policy", "allkeys-lru").start()) {
 *     String url = redis.url();   // redis://127.0.0.1:PORT
 * }
 * }</pre>
 *
 * <p>Persistence is off unless arguments turn it on. Not thread-safe for concurrent lifecycle calls.
 */
public final class RedisServer implements AutoCloseable {
    private final Path binary;
    private final int port;
    private final List<String> args;
    private final String password;
    private final String user;
    private final Path configFile;
    private final Path dir;
    private Process process;
    private boolean suspended;

    private RedisServer(Builder b) {
        this.binary = b.binary != null ? b.binary : RedisBinary.locate();
        this.port = b.port != 0 ? b.port : (b.clusterBus ? Ports.freeWithBus() : Ports.free());
        this.args = List.copyOf(b.args);
        this.password = b.password;
        this.user = b.user;
        this.configFile = b.configFile;
        try {
            this.dir = Files.createTempDirectory("redkit-redis-" + port + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Cleanup.register(this::destroyQuietly, dir);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a server with the defaults. */
    public static RedisServer startDefault() {
        return builder().start();
    }

    /** {@code 127.0.0.1}. */
    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** {@code redis://[:password@]127.0.0.1:PORT}: no database, so Redkit maps namespaces to 0, 1 and 2. */
    public String url() {
        return "redis://" + (password == null ? "" : ":" + password + "@") + host() + ":" + port;
    }

    /** The URL with database {@code db}. */
    public String url(int db) {
        return url() + "/" + db;
    }

    /** The working directory (RDB and AOF files, log). */
    public Path directory() {
        return dir;
    }

    /** The binary this server runs. */
    public Path binary() {
        return binary;
    }

    /** Starts the process (again, after {@link #stop()} or {@link #kill()}) and waits until it answers PING. */
    public synchronized RedisServer start() {
        if (isRunning()) {
            return this;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        if (configFile != null) {
            // the file must come first; the arguments below override its port, bind, dir and persistence
            cmd.add(configFile.toAbsolutePath().toString());
        }
        cmd.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1", "--daemonize", "no",
                "--protected-mode", "no", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
                "--logfile", dir.resolve("redis.log").toString(), "--loglevel", "notice"));
        if (password != null && user == null) {
            cmd.addAll(List.of("--requirepass", password));
        }
        cmd.addAll(args);
        try {
            process = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        suspended = false;
        awaitReady(Duration.ofSeconds(20));
        return this;
    }

    /** True while the process is alive. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Shuts Redis down cleanly ({@code SHUTDOWN NOSAVE}) and waits for the process to end. */
    public synchronized void stop() {
        if (!isRunning()) {
            return;
        }
        if (suspended) {
            resume();
        }
        try {
            Resp.callAs(host(), port, user, password, "SHUTDOWN", "NOSAVE");
        } catch (IOException | Resp.RespError e) {
            // the connection drops as Redis exits; fall through to waiting
        }
        waitForExit();
    }

    /** Shuts Redis down with {@code SHUTDOWN SAVE}: an RDB snapshot is written first (persistence tests). */
    public synchronized void stopWithSave() {
        if (!isRunning()) return;
        try {
            Resp.callAs(host(), port, user, password, "SHUTDOWN", "SAVE");
        } catch (IOException | Resp.RespError e) {
            // expected: the server closes the connection
        }
        waitForExit();
    }

    /** Kills the process with SIGKILL, as a crash would: nothing is saved. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitForExit();
        }
    }

    /** Stops and starts again on the same port. */
    public synchronized void restart() {
        stop();
        start();
    }

    /** Freezes the process (SIGSTOP): connections stay open but nothing answers, as in a network partition. */
    public synchronized void suspend() {
        signal("STOP");
        suspended = true;
    }

    /** Undoes {@link #suspend()} (SIGCONT). */
    public synchronized void resume() {
        signal("CONT");
        suspended = false;
    }

    /**
     * Sends a command to this server and returns the reply.
     *
     * @throws UncheckedIOException when the server cannot be reached
     */
    public Object command(String... args) {
        try {
            return Resp.callAs(host(), port, user, password, args);
        } catch (IOException e) {
            throw new UncheckedIOException("redis at port " + port + " is not reachable", e);
        }
    }

    /** {@code FLUSHALL} and {@code SCRIPT FLUSH}: a clean keyspace. */
    public void flushAll() {
        command("FLUSHALL");
        command("SCRIPT", "FLUSH");
    }

    /** {@code CONFIG SET name value}. */
    public void configSet(String name, String value) {
        command("CONFIG", "SET", name, value);
    }

    /** The {@code INFO} field, e.g. {@code redis_version}. */
    public String info(String field) {
        String text = (String) command("INFO");
        for (String line : text.split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return null;
    }

    /** The server's version, e.g. {@code 6.2.11}. */
    public String version() {
        return info("redis_version");
    }

    /**
     * Leaves stopping this server at JVM exit to the caller, who must {@link #close()} it in its
     * own shutdown sequence (e.g. after draining work that still needs Redis). By default the
     * testkit's exit hook kills it, concurrently with any other hook.
     */
    public RedisServer releaseExitHook() {
        Cleanup.unregister(dir);
        return this;
    }

    /** Stops the process and deletes its directory. */
    @Override
    public synchronized void close() {
        try {
            kill();
        } finally {
            Cleanup.deleteTree(dir);
            Cleanup.unregister(dir);
        }
    }

    private void destroyQuietly() {
        Process p = process;
        if (p != null) {
            if (suspended) signal("CONT");
            p.destroyForcibly();
        }
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void signal(String sig) {
        if (process == null) return;
        try {
            Process k = new ProcessBuilder("kill", "-" + sig, String.valueOf(process.pid())).start();
            k.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + " on port " + port
                        + ": " + tail());
            }
            try {
                Object pong = Resp.callAs(host(), port, user, password, "PING");
                if ("PONG".equals(pong)) {
                    return;
                }
            } catch (IOException | Resp.RespError e) {
                last = e;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting redis", e);
            }
        }
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING within " + timeout
                + " (" + last + "): " + tail());
    }

    private String tail() {
        try {
            Path log = dir.resolve("redis.log");
            Path out = dir.resolve("stdout.log");
            String text = (Files.exists(out) ? Files.readString(out) : "") + (Files.exists(log) ? Files.readString(log) : "");
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public String toString() {
        return "RedisServer{" + url() + ", " + binary + "}";
    }

    /** Options for a {@link RedisServer}. */
    public static final class Builder {
        private Path binary;
        private int port;
        private final List<String> args = new ArrayList<>();
        private String password;
        private String user;
        private Path configFile;
        private boolean clusterBus;

        private Builder() {}

        /** A specific binary instead of {@link RedisBinary#locate()}. */
        public Builder binary(Path binary) {
            this.binary = binary;
            return this;
        }

        /** A fixed port instead of a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Extra command-line arguments, e.g. {@code arg("--maxmemory-policy", "allkeys-lru")}. */
        public Builder arg(String... values) {
            args.addAll(List.of(values));
            return this;
        }

        /** Arguments from a map: {@code --name value}. */
        public Builder config(Map<String, String> config) {
            config.forEach((k, v) -> args.addAll(List.of("--" + k, v)));
            return this;
        }

        /**
         * A {@code redis.conf} to start from. The testkit's own settings (port, bind 127.0.0.1,
         * dir, no persistence, log file) and {@link #arg} override it; PING readiness uses the
         * default user unless {@link #adminUser} names another one (needed when the file disables
         * {@code default}).
         */
        public Builder configFile(Path file) {
            this.configFile = file;
            return this;
        }

        /**
         * The ACL user and password the testkit itself uses for PING, SHUTDOWN and
         * {@link RedisServer#command}; the user must exist (e.g. in the config file).
         */
        public Builder adminUser(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        /** {@code requirepass}: the default user's password. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** Reserve {@code port + 10000} too (Cluster bus). */
        Builder clusterBus() {
            this.clusterBus = true;
            return this;
        }

        /** Creates the server without starting it. */
        public RedisServer build() {
            return new RedisServer(this);
        }

        /** Creates and starts the server. */
        public RedisServer start() {
            return build().start();
        }
    }
}
