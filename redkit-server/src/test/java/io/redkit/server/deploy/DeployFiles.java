package io.redkit.server.deploy;

import io.redkit.testkit.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The files under {@code deploy/} as the tests use them: finds the repository, renders a
 * redis.conf with {@code deploy/render-redis-conf.sh} exactly as the container does, and starts
 * the testkit's redis-server on it, changing only the data directory and the port.
 */
final class DeployFiles {
    /** The password variables the two config files name. */
    static final List<String> PASSWORD_VARIABLES = List.of("REDKIT_QUEUE_PASSWORD", "REDKIT_SESSION_PASSWORD",
            "REDKIT_CACHE_PASSWORD", "REDKIT_ADMIN_PASSWORD", "REDKIT_VIEWER_PASSWORD");

    private DeployFiles() {}

    /** The repository root: the nearest directory up from the working directory that has deploy/. */
    static Path root() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("deploy")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("no deploy/ directory above " + Paths.get("").toAbsolutePath());
    }

    static Path deploy(String file) {
        return root().resolve("deploy").resolve(file);
    }

    /** A fresh random password of the kind the docs tell operators to generate (64 hex digits). */
    static String newPassword() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** One fresh password per variable of {@link #PASSWORD_VARIABLES}. */
    static Map<String, String> newPasswords() {
        Map<String, String> m = new HashMap<>();
        for (String v : PASSWORD_VARIABLES) {
            m.put(v, newPassword());
        }
        return m;
    }

    /** What running the render script gave. */
    record Rendered(int exitCode, String output, Path file) {}

    /** Runs {@code sh deploy/render-redis-conf.sh template out} with exactly {@code env}. */
    static Rendered render(Path template, Path out, Map<String, String> env) {
        List<String> cmd = new ArrayList<>(List.of("sh", deploy("render-redis-conf.sh").toString(),
                template.toString(), out.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("REDKIT_"));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("render-redis-conf.sh did not finish within 30 s");
            }
            return new Rendered(p.exitValue(), text, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Renders {@code deploy/<confName>} into {@code workDir} and points its {@code dir} line at
     * {@code workDir/data} (the one path the container has and a test machine does not).
     */
    static Path renderForTest(String confName, Path workDir, Map<String, String> passwords) {
        Path out = workDir.resolve(confName);
        Rendered r = render(deploy(confName), out, passwords);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("render-redis-conf.sh failed (" + r.exitCode() + "): " + r.output());
        }
        try {
            Path data = Files.createDirectories(workDir.resolve("data"));
            String text = Files.readString(out);
            String adjusted = text.replaceAll("(?m)^dir .*$", "dir " + data);
            if (adjusted.equals(text)) {
                throw new IllegalStateException(confName + " has no 'dir' line to adjust");
            }
            Files.writeString(out, adjusted);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last value of directive {@code name} in a redis.conf, arguments joined by one space (quotes removed). */
    static String directive(Path conf, String name) {
        String found = null;
        try {
            for (String line : Files.readAllLines(conf)) {
                String t = line.trim();
                if (t.startsWith(name + " ")) {
                    found = t.substring(name.length() + 1).trim().replace("\"", "");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (found == null) {
            throw new IllegalStateException(conf + " has no '" + name + "' directive");
        }
        return found;
    }

    /**
     * Starts the testkit's redis-server on {@code conf}, logging in as redkit-admin for its own
     * PING/SHUTDOWN. The testkit turns persistence off for speed; {@code keepPersistence} puts
     * the file's own {@code save} and {@code appendonly} back, so the server persists exactly as
     * the file says.
     */
    static RedisServer start(Path conf, String adminPassword, boolean keepPersistence) {
        RedisServer.Builder b = RedisServer.builder().configFile(conf).adminUser("redkit-admin", adminPassword);
        if (keepPersistence) {
            b.arg("--save", directive(conf, "save"), "--appendonly", directive(conf, "appendonly"));
        }
        return b.start();
    }
}
