package io.redkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redkit.server.http.Json;
import io.redkit.testkit.Ports;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium driven through chromedriver's W3C WebDriver protocol — the handful of calls
 * the dashboard test needs (session, navigate, find, click, text, script, screenshot, browser log).
 * Selenium would bring OpenTelemetry and Guava into the server's test classpath and break the
 * build's dependency convergence for six HTTP calls.
 *
 * <p>Installs Debian's {@code chromium} and {@code chromium-driver} when they are missing and the
 * test runs as root (as CI does); otherwise fails with what to install.
 */
final class WebDriverClient implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final Process driver;
    private final String base;
    private final String session;
    private final Path profile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private WebDriverClient(Process driver, String base, String session, Path profile) {
        this.driver = driver;
        this.base = base;
        this.session = session;
        this.profile = profile;
    }

    /** Makes sure Chromium and chromedriver are installed, installing Debian's packages as root. */
    static void ensureInstalled() throws IOException, InterruptedException {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) return;
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            throw new IllegalStateException("the dashboard test needs Debian's chromium and chromium-driver packages: "
                    + "sudo apt-get install -y chromium chromium-driver");
        }
        run(List.of("apt-get", "update", "-qq"));
        run(List.of("apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"));
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** Starts chromedriver and a headless Chromium session. */
    static WebDriverClient start(Path workDir) throws Exception {
        ensureInstalled();
        int port = Ports.free();
        Process driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(workDir.resolve("chromedriver.log").toFile()).start();
        String base = "http://127.0.0.1:" + port;
        Path profile = Files.createTempDirectory(workDir, "chromium-profile");
        HttpClient probe = HttpClient.newHttpClient();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                HttpResponse<String> r = probe.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"ready\":true")) break;
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > end) {
                driver.destroyForcibly();
                throw new IllegalStateException("chromedriver did not start: " + Files.readString(workDir.resolve("chromedriver.log")));
            }
            Thread.onSpinWait();
        }
        ObjectNode caps = Json.MAPPER.createObjectNode();
        ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        ObjectNode chrome = always.putObject("goog:chromeOptions");
        chrome.put("binary", CHROMIUM.toString());
        var args = chrome.putArray("args");
        for (String a : List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1200,1100", "--user-data-dir=" + profile)) {
            args.add(a);
        }
        always.putObject("goog:loggingPrefs").put("browser", "ALL");
        WebDriverClient tmp = new WebDriverClient(driver, base, null, profile);
        JsonNode created = tmp.call("POST", "/session", caps);
        return new WebDriverClient(driver, base, created.get("value").get("sessionId").asText(), profile);
    }

    void navigate(String url) throws Exception {
        call("POST", "/session/" + session + "/url", Json.MAPPER.createObjectNode().put("url", url));
    }

    /** The element matching {@code css}, or null. */
    String find(String css) throws Exception {
        ObjectNode q = Json.MAPPER.createObjectNode().put("using", "css selector").put("value", css);
        JsonNode r = callAllowingError("POST", "/session/" + session + "/element", q);
        if (r == null) return null;
        return r.get("value").elements().next().asText();
    }

    String text(String element) throws Exception {
        return call("GET", "/session/" + session + "/element/" + element + "/text", null).get("value").asText();
    }

    void click(String element) throws Exception {
        call("POST", "/session/" + session + "/element/" + element + "/click", Json.MAPPER.createObjectNode());
    }

    /** Types {@code text} into the element (an input), after what it holds already. */
    void type(String element, String text) throws Exception {
        call("POST", "/session/" + session + "/element/" + element + "/value", Json.MAPPER.createObjectNode().put("text", text));
    }

    /** Deletes every cookie of the current page's site. */
    void deleteCookies() throws Exception {
        call("DELETE", "/session/" + session + "/cookie", null);
    }

    /** Empties the element (an input). */
    void clear(String element) throws Exception {
        call("POST", "/session/" + session + "/element/" + element + "/clear", Json.MAPPER.createObjectNode());
    }

    /** Runs JavaScript in the page and returns its result. */
    JsonNode script(String js) throws Exception {
        ObjectNode body = Json.MAPPER.createObjectNode().put("script", js);
        body.putArray("args");
        return call("POST", "/session/" + session + "/execute/sync", body).get("value");
    }

    void screenshot(Path file) throws Exception {
        String b64 = call("GET", "/session/" + session + "/screenshot", null).get("value").asText();
        Files.write(file, Base64.getDecoder().decode(b64));
    }

    /** Browser console entries of level SEVERE since the last call. */
    List<String> severeConsoleEntries() throws Exception {
        ObjectNode body = Json.MAPPER.createObjectNode().put("type", "browser");
        JsonNode r = call("POST", "/session/" + session + "/se/log", body);
        List<String> out = new ArrayList<>();
        for (JsonNode e : r.get("value")) {
            if ("SEVERE".equals(e.path("level").asText())) out.add(e.path("message").asText());
        }
        return out;
    }

    private JsonNode call(String method, String path, JsonNode body) throws Exception {
        JsonNode r = callAllowingError(method, path, body);
        if (r == null) throw new IllegalStateException(method + " " + path + " failed");
        return r;
    }

    private JsonNode callAllowingError(String method, String path, JsonNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404 && r.body().contains("no such element")) return null;
        if (r.statusCode() >= 400) {
            throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + ": " + r.body());
        }
        return Json.MAPPER.readTree(r.body());
    }

    @Override
    public void close() {
        try {
            if (session != null) call("DELETE", "/session/" + session, null);
        } catch (Exception e) {
            // the driver goes anyway
        }
        driver.destroyForcibly();
        try {
            driver.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        profile.toFile().deleteOnExit();
    }
}
