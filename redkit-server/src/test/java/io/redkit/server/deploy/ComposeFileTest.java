package io.redkit.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/docker-compose.redis.yml and the Dockerfile, checked without a Docker engine: every
 * service is there with a health check, restart policy and network; data lives in named volumes;
 * every mounted file exists; Redis is never published; the server's URLs name ACL users that the
 * mounted config defines, with the passwords the config's placeholders name; and the Dockerfile's
 * port and health check agree with Compose's.
 */
class ComposeFileTest {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?}");

    static Path deploy;
    static JsonNode compose;
    static JsonNode services;
    static List<String> dockerfile;

    @BeforeAll
    static void read() throws IOException {
        deploy = DeployFiles.root().resolve("deploy");
        compose = new YAMLMapper().readTree(deploy.resolve("docker-compose.redis.yml").toFile());
        services = compose.get("services");
        dockerfile = Files.readAllLines(DeployFiles.root().resolve("Dockerfile"));
    }

    private static List<String> list(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node != null) node.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String env(String service, String name) {
        JsonNode v = services.get(service).path("environment").get(name);
        assertThat(v).as("%s.environment.%s", service, name).isNotNull();
        return v.asText();
    }

    @Test
    void hasEveryService() {
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("redis", "redis-cache", "postgres", "redkit", "redis-commander");
        assertThat(services.get("redis").get("image").asText()).isEqualTo("redis:7.2-alpine");
        assertThat(services.get("redis-cache").get("image").asText()).isEqualTo("redis:7.2-alpine");
        assertThat(services.get("redis-commander").get("image").asText()).contains("redis-commander");
    }

    @Test
    void everyServiceHasAHealthCheckARestartPolicyAndANetwork() {
        services.properties().forEach(e -> {
            JsonNode s = e.getValue();
            assertThat(list(s.path("healthcheck").get("test"))).as(e.getKey() + " healthcheck").isNotEmpty();
            assertThat(s.path("healthcheck").path("interval").asText()).as(e.getKey() + " interval").isNotEmpty();
            assertThat(s.path("restart").asText()).as(e.getKey() + " restart").isIn("always", "unless-stopped");
            List<String> networks = list(s.get("networks"));
            assertThat(networks).as(e.getKey() + " networks").isNotEmpty();
            assertThat(compose.get("networks").fieldNames()).toIterable().containsAll(networks);
        });
    }

    @Test
    void dataStoresAreOnlyOnTheInternalNetworkAndPublishNothing() {
        assertThat(compose.at("/networks/backend/internal").asBoolean()).isTrue();
        for (String s : List.of("redis", "redis-cache", "postgres")) {
            assertThat(list(services.get(s).get("networks"))).as(s).containsExactly("backend");
            assertThat(services.get(s).get("ports")).as(s + " must not publish a port").isNull();
        }
        // what is published binds to loopback unless the operator says otherwise
        assertThat(list(services.get("redis-commander").get("ports"))).allMatch(p -> p.startsWith("127.0.0.1:"));
        assertThat(list(services.get("redkit").get("ports"))).allMatch(p -> p.startsWith("${REDKIT_HTTP_BIND:-127.0.0.1}:"));
        assertThat(list(services.get("redis-commander").get("profiles"))).containsExactly("tools");
    }

    @Test
    void everyMountedFileExistsAndDataLivesInNamedVolumes() {
        Set<String> declared = new TreeSet<>();
        compose.get("volumes").fieldNames().forEachRemaining(declared::add);
        Set<String> used = new TreeSet<>();
        services.properties().forEach(e -> {
            for (String mount : list(e.getValue().get("volumes"))) {
                String source = mount.split(":")[0];
                if (source.startsWith(".") || source.startsWith("/")) {
                    assertThat(deploy.resolve(source).normalize()).as(e.getKey() + " mounts " + source).isRegularFile();
                    assertThat(deploy.resolve(source).normalize().startsWith(deploy)).as(source + " is in deploy/").isTrue();
                    assertThat(mount).as(e.getKey() + ": config files are mounted read-only").endsWith(":ro");
                } else {
                    used.add(source);
                }
            }
        });
        assertThat(used).isEqualTo(declared);
        assertThat(list(services.get("redis").get("volumes"))).contains("redis-data:/data");
        assertThat(list(services.get("postgres").get("volumes"))).contains("postgres-data:/var/lib/postgresql/data");
    }

    @Test
    void eachRedisRunsItsOwnConfigThroughTheRenderScript() {
        assertThat(list(services.get("redis").get("volumes"))).contains("./redis.conf:/usr/local/etc/redis/redis.conf:ro");
        assertThat(list(services.get("redis-cache").get("volumes"))).contains("./redis-cache.conf:/usr/local/etc/redis/redis.conf:ro");
        for (String s : List.of("redis", "redis-cache")) {
            JsonNode svc = services.get(s);
            assertThat(list(svc.get("entrypoint"))).containsExactly("/bin/sh", "/usr/local/etc/redis/render-redis-conf.sh");
            assertThat(list(svc.get("command"))).containsExactly("/usr/local/etc/redis/redis.conf", "/tmp/redis.conf", "--exec");
            assertThat(list(svc.get("volumes"))).contains("./render-redis-conf.sh:/usr/local/etc/redis/render-redis-conf.sh:ro");
            // every password the mounted config's placeholders name is passed into the container
            Path conf = deploy.resolve(s.equals("redis") ? "redis.conf" : "redis-cache.conf");
            for (String variable : placeholders(conf)) {
                assertThat(env(s, variable)).as(s + " gets " + variable).startsWith("${" + variable + ":?");
            }
        }
    }

    @Test
    void memoryLimitsLeaveRoomAboveMaxmemory() {
        long redisMax = bytes(DeployFiles.directive(deploy.resolve("redis.conf"), "maxmemory"));
        long cacheMax = bytes(DeployFiles.directive(deploy.resolve("redis-cache.conf"), "maxmemory"));
        // the queue's instance forks for snapshots and rewrites: copy-on-write may need as much again
        assertThat(bytes(services.get("redis").get("mem_limit").asText())).isGreaterThanOrEqualTo(2 * redisMax);
        assertThat(bytes(services.get("redis-cache").get("mem_limit").asText())).isGreaterThanOrEqualTo(cacheMax * 5 / 4);
    }

    private static long bytes(String size) {
        Matcher m = Pattern.compile("(?i)(\\d+)\\s*([kmg]?)b?").matcher(size.trim());
        assertThat(m.matches()).as(size).isTrue();
        long n = Long.parseLong(m.group(1));
        switch (m.group(2).toLowerCase()) {
            case "k": return n << 10;
            case "m": return n << 20;
            case "g": return n << 30;
            default: return n;
        }
    }

    @Test
    void theServersUrlsNameUsersThatTheMountedConfigDefinesWithTheirPasswords() throws IOException {
        for (String variable : List.of("REDKIT_CACHE_URL", "REDKIT_QUEUE_URL", "REDKIT_SESSION_URL")) {
            String value = env("redkit", variable);
            Matcher v = VARIABLE.matcher(value);
            assertThat(v.find()).as(value).isTrue();
            String passwordVariable = v.group(1);
            URI uri = URI.create(VARIABLE.matcher(value).replaceAll("secret"));
            String user = uri.getUserInfo().split(":")[0];
            String namespace = variable.substring("REDKIT_".length(), variable.length() - "_URL".length()).toLowerCase();
            assertThat(user).isEqualTo("redkit-" + namespace);
            assertThat(passwordVariable).isEqualTo("REDKIT_" + namespace.toUpperCase() + "_PASSWORD");
            // the host is a service whose mounted config has that user, with that password placeholder
            String host = uri.getHost();
            assertThat(services.has(host)).as(variable + " points at service " + host).isTrue();
            Path conf = mountedConfig(host);
            String userLine = Files.readAllLines(conf).stream().filter(l -> l.startsWith("user " + user + " on ")).findFirst().orElse(null);
            assertThat(userLine).as(conf + " defines " + user).isNotNull();
            assertThat(userLine).contains("#sha256(" + passwordVariable + ")").contains("~redkit:" + namespace + ":*");
            assertThat(uri.getPort()).isEqualTo(Integer.parseInt(DeployFiles.directive(conf, "port")));
        }
        assertThat(mountedConfig(URI.create(env("redkit", "REDKIT_CACHE_URL").replaceAll("\\$\\{[^}]*}", "x")).getHost()))
                .hasFileName("redis-cache.conf");
        assertThat(env("redkit", "DATABASE_URL")).startsWith("postgresql://redkit:${POSTGRES_PASSWORD:?").endsWith("@postgres:5432/redkit");
        // the server waits for healthy data stores
        for (String dependency : List.of("redis", "redis-cache", "postgres")) {
            assertThat(services.get("redkit").at("/depends_on/" + dependency + "/condition").asText()).isEqualTo("service_healthy");
        }
    }

    private static Path mountedConfig(String service) {
        for (String mount : list(services.get(service).get("volumes"))) {
            String[] parts = mount.split(":");
            if (parts[1].equals("/usr/local/etc/redis/redis.conf")) {
                return deploy.resolve(parts[0]).normalize();
            }
        }
        throw new AssertionError(service + " mounts no redis.conf");
    }

    private static Set<String> placeholders(Path conf) {
        Set<String> out = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(conf)) {
                if (line.startsWith("#")) continue;
                Matcher m = Pattern.compile("#sha256\\(([A-Z0-9_]+)\\)").matcher(line);
                while (m.find()) out.add(m.group(1));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    @Test
    void theDockerfileBuildsWithMavenRunsOnAJreAsNonRootAndAgreesWithCompose() {
        List<String> froms = dockerfile.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(froms).hasSizeGreaterThanOrEqualTo(2);
        assertThat(froms.get(0)).contains("maven").contains("17").contains(" AS build");
        assertThat(froms.get(froms.size() - 1)).matches("FROM eclipse-temurin:17-jre\\S*");
        String user = lastInstruction("USER");
        assertThat(user).isNotIn("root", "0", "0:0", "root:root");
        assertThat(lastInstruction("ENTRYPOINT")).contains("\"java\"").contains("\"-jar\"").contains("redkit-server.jar");
        assertThat(lastInstruction("CMD")).isEqualTo("[\"serve\"]");
        String exposed = lastInstruction("EXPOSE");
        assertThat(exposed).matches("\\d+");

        // Compose publishes that port, sets PORT to it and checks the same path on it
        JsonNode server = services.get("redkit");
        assertThat(server.at("/build/context").asText()).isEqualTo("..");
        assertThat(DeployFiles.root().resolve(server.at("/build/dockerfile").asText())).isRegularFile();
        assertThat(env("redkit", "PORT")).isEqualTo(exposed);
        assertThat(list(server.get("ports"))).allMatch(p -> p.endsWith(":" + exposed));
        String composeCheck = String.join(" ", list(server.at("/healthcheck/test")));
        String dockerCheck = dockerfile.stream().dropWhile(l -> !l.startsWith("HEALTHCHECK")).limit(2)
                .reduce("", (a, b) -> a + " " + b);
        for (String check : List.of(composeCheck, dockerCheck)) {
            assertThat(check).contains("/health/ready").contains("127.0.0.1/" + exposed).contains(" 200 ");
        }
        assertThat(dockerfile).contains("ENV PORT=" + exposed);
    }

    @Test
    void theDockerfileCopiesTheJarTheBuildMakes() throws IOException {
        String pom = Files.readString(DeployFiles.root().resolve("redkit-server/pom.xml"));
        Matcher m = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(m.find()).as("redkit-server/pom.xml names its runnable jar").isTrue();
        String jar = "redkit-server/target/" + m.group(1) + ".jar";
        assertThat(String.join("\n", dockerfile)).contains("-pl redkit-server -am package").contains(jar);
    }

    private static String lastInstruction(String name) {
        String found = null;
        for (String l : dockerfile) {
            if (l.startsWith(name + " ")) found = l.substring(name.length() + 1).trim();
        }
        assertThat(found).as("Dockerfile " + name).isNotNull();
        return found;
    }

    @Test
    void everyVariableComposeReadsIsInTheExampleEnvFileAndTheRealOneIsIgnored() throws IOException {
        String text = Files.readString(deploy.resolve("docker-compose.redis.yml"));
        Set<String> used = new TreeSet<>();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) used.add(m.group(1));
        Set<String> example = new TreeSet<>();
        for (String line : Files.readAllLines(deploy.resolve("redkit.env.example"))) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String name = line.substring(0, line.indexOf('='));
            example.add(name);
            // secrets are left empty in the example, so nobody runs with a published password
            if (name.endsWith("PASSWORD")) assertThat(line).as(name).isEqualTo(name + "=");
        }
        assertThat(example).isEqualTo(used);
        assertThat(Files.readAllLines(DeployFiles.root().resolve(".gitignore"))).contains("deploy/redkit.env");
        assertThat(Files.readAllLines(DeployFiles.root().resolve(".dockerignore"))).contains("deploy/*.env");
    }
}
