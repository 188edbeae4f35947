package io.redkit.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Finds a {@code redis-server} to run: {@code $REDKIT_REDIS_SERVER} when set, else the one on
 * {@code PATH}, else the Redis 6.2 binary shipped in {@code com.github.codemonstur:embedded-redis},
 * extracted once into the temporary directory.
 */
public final class RedisBinary {
    /** Environment variable naming a {@code redis-server} binary to use instead of searching. */
    public static final String ENV = "REDKIT_REDIS_SERVER";

    private static volatile Path located;

    private RedisBinary() {}

    /** The binary to run; found once per process. */
    public static Path locate() {
        Path p = located;
        if (p == null) {
            synchronized (RedisBinary.class) {
                if (located == null) {
                    located = find();
                }
                p = located;
            }
        }
        return p;
    }

    /** Where the binary comes from, for messages: {@code env}, {@code PATH} or {@code embedded}. */
    public static String source() {
        Path p = locate();
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank() && Paths.get(env).equals(p)) return ENV;
        return p.startsWith(Paths.get(System.getProperty("java.io.tmpdir"))) ? "embedded-redis jar" : "PATH";
    }

    private static Path find() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            Path p = Paths.get(env);
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(ENV + "=" + env + " is not an executable file");
            }
            return p;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path candidate = Paths.get(dir, "redis-server");
                if (Files.isExecutable(candidate) && works(candidate)) {
                    return candidate;
                }
            }
        }
        return extract();
    }

    private static boolean works(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Path extract() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String resource;
        if (os.contains("linux")) {
            resource = arch.contains("aarch64") || arch.contains("arm64") ? "redis-server-6.2.7-linux-arm64"
                    : "redis-server-6.2.6-v5-linux-amd64";
        } else if (os.contains("mac")) {
            resource = arch.contains("aarch64") || arch.contains("arm64") ? "redis-server-6.2.6-v5-darwin-arm64"
                    : "redis-server-6.2.6-v5-darwin-amd64";
        } else {
            throw new IllegalStateException("no embedded redis-server for " + os + "/" + arch
                    + "; install Redis 6.2+ on PATH or set " + ENV);
        }
        Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "redkit-redis-" + resource);
        Path target = dir.resolve("redis-server");
        try {
            if (Files.isExecutable(target) && works(target)) {
                return target;
            }
            Files.createDirectories(dir);
            try (InputStream in = RedisBinary.class.getResourceAsStream("/" + resource)) {
                if (in == null) {
                    throw new IllegalStateException("redis-server not on PATH and /" + resource
                            + " not on the classpath (add com.github.codemonstur:embedded-redis), or set " + ENV);
                }
                Path tmp = Files.createTempFile(dir, "redis-server", ".part");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                tmp.toFile().setExecutable(true, false);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract embedded redis-server to " + target, e);
        }
    }
}
