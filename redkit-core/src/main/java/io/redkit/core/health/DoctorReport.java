package io.redkit.core.health;

import io.redkit.core.RedkitConfig;

import java.util.List;
import java.util.Locale;

/** What {@link Doctor#inspect} found: each namespace's health and the warnings. */
public final class DoctorReport {
    private final RedkitConfig config;
    private final List<NamespaceHealth> health;
    private final List<DoctorWarning> warnings;

    DoctorReport(RedkitConfig config, List<NamespaceHealth> health, List<DoctorWarning> warnings) {
        this.config = config;
        this.health = List.copyOf(health);
        this.warnings = List.copyOf(warnings);
    }

    public List<NamespaceHealth> health() {
        return health;
    }

    public List<DoctorWarning> warnings() {
        return warnings;
    }

    /** True when every namespace is up. */
    public boolean allUp() {
        return health.stream().allMatch(NamespaceHealth::isUp);
    }

    /** The report as text for a terminal. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append("Redkit doctor\n");
        sb.append("  configuration: ").append(config).append("\n\n");
        for (NamespaceHealth h : health) {
            sb.append(String.format(Locale.ROOT, "  %-8s %-4s %s%n", h.namespace().id(), h.status(), h.target()));
            if (h.isUp()) {
                sb.append(String.format(Locale.ROOT, "           redis %s, role %s, ping %.2f ms, memory %s of %s, policy %s, aof %s, save \"%s\"%n",
                        h.version().orElse("?"), h.role().orElse("?"),
                        h.pingTime().map(d -> d.toNanos() / 1e6).orElse(0.0),
                        bytes(h.usedMemoryBytes().orElse(-1L)),
                        h.maxMemoryBytes().map(m -> m == 0 ? "no limit" : bytes(m)).orElse("?"),
                        h.evictionPolicy().orElse("?"), h.aofEnabled().map(b -> b ? "on" : "off").orElse("?"),
                        h.rdbSaveConfig().orElse("?")));
            } else {
                sb.append("           ").append(h.error().orElse("down")).append('\n');
            }
        }
        sb.append('\n');
        if (warnings.isEmpty()) {
            sb.append("  No warnings.\n");
        } else {
            sb.append("  ").append(warnings.size()).append(warnings.size() == 1 ? " warning:\n" : " warnings:\n");
            for (DoctorWarning w : warnings) {
                sb.append("  - [").append(w.namespace().id()).append("] ").append(w.code()).append(": ").append(w.message()).append('\n');
                sb.append("      fix: ").append(w.fix()).append('\n');
            }
        }
        return sb.toString();
    }

    private static String bytes(long b) {
        if (b < 0) return "?";
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        if (b < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
        return String.format(Locale.ROOT, "%.2f GiB", b / (1024.0 * 1024 * 1024));
    }

    @Override
    public String toString() {
        return format();
    }
}
