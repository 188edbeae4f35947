package io.redkit.server.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** deploy/render-redis-conf.sh: how passwords get from the environment into Redis. */
class RenderScriptTest {
    @TempDir
    Path work;

    private static String sha256(String s) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void rendersEveryPlaceholderAsTheSha256OfItsVariableAndNeverThePassword() throws Exception {
        Map<String, String> pw = DeployFiles.newPasswords();
        for (String conf : new String[]{"redis.conf", "redis-cache.conf"}) {
            Path out = work.resolve(conf);
            DeployFiles.Rendered r = DeployFiles.render(DeployFiles.deploy(conf), out, pw);
            assertThat(r.exitCode()).as(r.output()).isZero();
            String text = Files.readString(out);
            assertThat(text.lines().filter(l -> !l.startsWith("#"))).noneMatch(l -> l.contains("#sha256("));
            for (Map.Entry<String, String> e : pw.entrySet()) {
                assertThat(text).doesNotContain(e.getValue());
                if (Files.readString(DeployFiles.deploy(conf)).contains("#sha256(" + e.getKey() + ")")) {
                    assertThat(text).contains("#" + sha256(e.getValue()));
                }
            }
            assertThat(Files.getPosixFilePermissions(out))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
    }

    @Test
    void aMissingPasswordStopsRenderingAndNamesTheVariable() {
        Map<String, String> pw = new HashMap<>(DeployFiles.newPasswords());
        pw.remove("REDKIT_SESSION_PASSWORD");
        Path out = work.resolve("redis.conf");
        DeployFiles.Rendered r = DeployFiles.render(DeployFiles.deploy("redis.conf"), out, pw);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).contains("REDKIT_SESSION_PASSWORD is not set");
        assertThat(out).doesNotExist();
    }

    @Test
    void theCacheFileDoesNotNeedTheQueueOrSessionPasswords() {
        Map<String, String> pw = new HashMap<>(DeployFiles.newPasswords());
        pw.remove("REDKIT_SESSION_PASSWORD");
        pw.remove("REDKIT_QUEUE_PASSWORD");
        DeployFiles.Rendered r = DeployFiles.render(DeployFiles.deploy("redis-cache.conf"), work.resolve("c.conf"), pw);
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test
    void shortPasswordsAndCharactersThatBreakAUrlAreRefused() throws IOException {
        for (String bad : new String[]{"short", "has space in it 12345", "slash/and@at-123456", "percent%20encoded-123"}) {
            Map<String, String> pw = new HashMap<>(DeployFiles.newPasswords());
            pw.put("REDKIT_QUEUE_PASSWORD", bad);
            Path out = work.resolve("bad.conf");
            DeployFiles.Rendered r = DeployFiles.render(DeployFiles.deploy("redis.conf"), out, pw);
            assertThat(r.exitCode()).as(bad).isEqualTo(1);
            assertThat(r.output()).as(bad).contains("REDKIT_QUEUE_PASSWORD");
            assertThat(out).doesNotExist();
        }
        // the unreserved URL characters are all fine
        Map<String, String> pw = new HashMap<>(DeployFiles.newPasswords());
        pw.put("REDKIT_QUEUE_PASSWORD", "Abc.def_ghi~jkl-0123");
        assertThat(DeployFiles.render(DeployFiles.deploy("redis.conf"), work.resolve("ok.conf"), pw).exitCode()).isZero();
        assertThat(Files.readString(work.resolve("ok.conf"))).doesNotContain("Abc.def_ghi~jkl-0123");
    }

    @Test
    void withoutArgumentsItPrintsUsage() throws Exception {
        Process p = new ProcessBuilder("sh", DeployFiles.deploy("render-redis-conf.sh").toString())
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isEqualTo(2);
        assertThat(text).contains("usage:");
    }
}
