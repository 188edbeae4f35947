package io.redkit.testkit;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Stops processes and removes directories on JVM exit (normal exit, Ctrl-C, SIGTERM). */
final class Cleanup {
    private static final Map<Path, Runnable> TASKS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Map.Entry<Path, Runnable> e : TASKS.entrySet()) {
                try {
                    e.getValue().run();
                } catch (RuntimeException ignored) {
                    // best effort at exit
                }
                deleteTree(e.getKey());
            }
        }, "redkit-testkit-cleanup"));
    }

    private Cleanup() {}

    static void register(Runnable stop, Path dir) {
        TASKS.put(dir, stop);
    }

    static void unregister(Path dir) {
        TASKS.remove(dir);
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // a leftover temp dir is not worth failing a test run for
        }
    }
}
