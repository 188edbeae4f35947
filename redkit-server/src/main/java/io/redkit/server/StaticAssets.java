package io.redkit.server;

import io.redkit.server.http.ApiException;
import io.redkit.server.http.Exchange;
import io.redkit.server.http.Router;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** The dashboard: {@code /} and {@code /static/<file>} served from the classpath, no CDN. */
final class StaticAssets {
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]+\\.(html|js|css|svg|png)");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "png", "image/png");
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    void register(Router r) {
        r.get("/", ex -> serve(ex, "index.html"));
        r.get("/static/{file}", ex -> serve(ex, ex.path("file")));
    }

    private void serve(Exchange ex, String file) throws IOException {
        if (!NAME.matcher(file).matches()) throw ApiException.notFound("no asset '" + file + "'");
        byte[] bytes = cache.computeIfAbsent(file, StaticAssets::load);
        if (bytes.length == 0) throw ApiException.notFound("no asset '" + file + "'");
        ex.response().setStatus(200);
        ex.response().setContentType(TYPES.get(file.substring(file.lastIndexOf('.') + 1)));
        ex.response().setHeader("Cache-Control", "no-cache");
        ex.response().setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'");
        ex.response().setHeader("X-Content-Type-Options", "nosniff");
        ex.response().setContentLength(bytes.length);
        ex.response().getOutputStream().write(bytes);
    }

    private static byte[] load(String file) {
        try (InputStream in = StaticAssets.class.getResourceAsStream("/static/" + file)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
