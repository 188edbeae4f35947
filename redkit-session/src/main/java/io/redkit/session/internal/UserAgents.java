package io.redkit.session.internal;

import java.util.Locale;

/**
 * A small parser that turns a {@code User-Agent} header into a device label such as
 * {@code "Chrome on Windows"} or {@code "Safari on iPhone"}, for device lists. It knows the
 * common browsers and systems; anything else becomes {@code "Unknown browser"} /
 * {@code "unknown OS"}. Order matters: Edge, Opera and Samsung Internet also say "Chrome", and
 * Chrome also says "Safari".
 */
public final class UserAgents {
    private UserAgents() {}

    /** The label for {@code userAgent}; "Unknown device" for an empty one. */
    public static String label(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return "Unknown device";
        }
        String ua = userAgent.toLowerCase(Locale.ROOT);
        return browser(ua) + " on " + os(ua);
    }

    static String browser(String ua) {
        if (ua.contains("edg/") || ua.contains("edga/") || ua.contains("edgios/") || ua.contains("edge/")) return "Edge";
        if (ua.contains("opr/") || ua.contains("opera")) return "Opera";
        if (ua.contains("samsungbrowser/")) return "Samsung Internet";
        if (ua.contains("firefox/") || ua.contains("fxios/")) return "Firefox";
        if (ua.contains("chrome/") || ua.contains("crios/") || ua.contains("chromium/")) return "Chrome";
        if (ua.contains("safari/") && (ua.contains("version/") || ua.contains("mobile/"))) return "Safari";
        if (ua.startsWith("curl/")) return "curl";
        if (ua.contains("okhttp/")) return "OkHttp";
        if (ua.startsWith("java-http-client") || ua.startsWith("java/")) return "Java";
        if (ua.startsWith("python-requests/") || ua.startsWith("python-urllib/")) return "Python";
        return "Unknown browser";
    }

    static String os(String ua) {
        if (ua.contains("iphone")) return "iPhone";
        if (ua.contains("ipad")) return "iPad";
        if (ua.contains("android")) return "Android";
        if (ua.contains("cros")) return "ChromeOS";
        if (ua.contains("windows")) return "Windows";
        if (ua.contains("mac os x") || ua.contains("macintosh")) return "macOS";
        if (ua.contains("linux") || ua.contains("x11")) return "Linux";
        return "unknown OS";
    }
}
