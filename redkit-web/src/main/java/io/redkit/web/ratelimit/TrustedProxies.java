package io.redkit.web.ratelimit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The proxies whose {@code X-Forwarded-For} a {@link KeyResolvers#clientIp(TrustedProxies)}
 * resolver believes: IPv4 and IPv6 addresses and CIDR ranges, e.g. {@code 10.0.0.0/8},
 * {@code 127.0.0.1}, {@code fd00::/8}. Nothing is trusted unless listed, so a client cannot spoof
 * its way past a limit with a forged header. Immutable.
 */
public final class TrustedProxies {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final List<byte[]> networks;
    private final List<Integer> prefixes;
    private final List<String> specs;

    private TrustedProxies(List<String> specs) {
        this.networks = new ArrayList<>();
        this.prefixes = new ArrayList<>();
        this.specs = List.copyOf(specs);
        for (String spec : specs) {
            String s = spec.trim();
            int slash = s.indexOf('/');
            String addr = slash < 0 ? s : s.substring(0, slash);
            byte[] bytes = parseLiteral(addr);
            if (bytes == null) {
                throw new IllegalArgumentException("trusted proxy \"" + spec + "\" is not an IP address or CIDR range"
                        + " (e.g. 10.0.0.0/8, 192.168.1.10, fd00::/8)");
            }
            int prefix = bytes.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(s.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bytes.length * 8) {
                    throw new IllegalArgumentException("trusted proxy \"" + spec + "\" has a bad prefix length: allowed 0 to "
                            + bytes.length * 8);
                }
            }
            networks.add(bytes);
            prefixes.add(prefix);
        }
    }

    /** No proxy is trusted: the client is always the TCP peer. */
    public static TrustedProxies none() {
        return new TrustedProxies(List.of());
    }

    /**
     * These addresses and ranges.
     *
     * @throws IllegalArgumentException naming an entry that is not an address or range
     */
    public static TrustedProxies of(String... specs) {
        return new TrustedProxies(List.of(specs));
    }

    /** Comma-separated form, e.g. from an environment variable; blank means none. */
    public static TrustedProxies parse(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return none();
        }
        List<String> specs = new ArrayList<>();
        for (String s : commaSeparated.split(",")) {
            if (!s.isBlank()) specs.add(s.trim());
        }
        return new TrustedProxies(specs);
    }

    /** Whether {@code address} (a literal) is a trusted proxy; false for anything that is not an IP literal. */
    public boolean isTrusted(String address) {
        byte[] a = parseLiteral(address);
        return a != null && isTrusted(a);
    }

    /** Whether the address with bytes {@code a} (from {@link #parseLiteral}) is a trusted proxy. */
    boolean isTrusted(byte[] a) {
        for (int i = 0; i < networks.size(); i++) {
            if (matches(networks.get(i), prefixes.get(i), a)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(byte[] net, int prefix, byte[] a) {
        if (net.length != a.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (net[i] != a[i]) return false;
        }
        int rest = prefix % 8;
        if (rest == 0) return true;
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (net[full] & mask) == (a[full] & mask);
    }

    /**
     * The bytes of an IPv4 or IPv6 literal (IPv4-mapped IPv6 becomes IPv4), or {@code null}.
     * Never resolves a host name.
     */
    static byte[] parseLiteral(String text) {
        if (text == null) return null;
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        int zone = t.indexOf('%');
        if (zone >= 0) {
            t = t.substring(0, zone);
        }
        byte[] v4 = dottedQuad(t);
        if (v4 != null) {
            return v4; // the usual case (every request's peer), without a regex or InetAddress
        }
        if (IPV4.matcher(t).matches()) {
            for (String part : t.split("\\.")) {
                if (Integer.parseInt(part) > 255 || part.length() > 1 && part.charAt(0) == '0') return null;
            }
        } else if (!IPV6.matcher(t).matches() || t.length() > 45) {
            return null;
        }
        try {
            // a literal only (checked above), so no DNS lookup happens
            return InetAddress.getByName(t).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * The four bytes of {@code a.b.c.d} (each part 1 to 3 ASCII digits, at most 255, without a
     * leading zero), or {@code null}.
     */
    private static byte[] dottedQuad(String t) {
        int n = t.length();
        if (n < 7 || n > 15) return null;
        byte[] out = new byte[4];
        int part = 0, value = 0, digits = 0;
        for (int i = 0; i < n; i++) {
            char c = t.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits == 1 && value == 0) return null; // a leading zero: octal to some parsers, decimal to others
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) return null;
            } else if (c == '.' && digits > 0 && part < 3) {
                out[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null;
            }
        }
        if (part != 3 || digits == 0) return null;
        out[3] = (byte) value;
        return out;
    }

    /** The canonical text of an IP literal (e.g. {@code ::1} for {@code 0:0:0:0:0:0:0:1}), or {@code null}. */
    static String canonical(String text) {
        byte[] b = parseLiteral(text);
        return b == null ? null : canonical(b);
    }

    /** The canonical text of the address with bytes {@code b} (from {@link #parseLiteral}). */
    static String canonical(byte[] b) {
        if (b.length == 4) {
            return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
        }
        try {
            String s = InetAddress.getByAddress(b).getHostAddress();
            return b.length == 16 ? compress(s) : s;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String compress(String ipv6) {
        // InetAddress gives 0:0:0:0:0:0:0:1; shorten the longest run of zero groups
        String[] g = ipv6.split(":");
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < g.length; ) {
            if (g[i].equals("0")) {
                int j = i;
                while (j < g.length && g[j].equals("0")) j++;
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) return ipv6;
        String left = String.join(":", java.util.Arrays.copyOfRange(g, 0, bestStart));
        String right = String.join(":", java.util.Arrays.copyOfRange(g, bestStart + bestLen, g.length));
        return left + "::" + right;
    }

    @Override
    public String toString() {
        return "TrustedProxies" + specs;
    }
}
