package io.redkit.server.deploy;

import io.redkit.core.RedkitConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md against the code. A table preceded by a marker comment is compared with
 * a list the code owns:
 * <ul>
 *   <li>{@code <!-- checked: fully.qualified.Class#FIELD -->}: a static {@code List<String>} or
 *       {@code String} field naming the variables that class reads (e.g. {@code RedkitConfig#VARIABLES});</li>
 *   <li>{@code <!-- checked: deploy/file.env.example -->}: the variables an env file sets;</li>
 *   <li>{@code <!-- checked-builder: fully.qualified.Builder -->}: the public methods of a builder.</li>
 * </ul>
 * To document another module's variables, give it such a list and put its marker above its table:
 * nothing here changes. A documented variable outside any checked table fails, so nothing on the
 * page can drift unnoticed.
 */
class ConfigurationDocTest {
    private static final Pattern MARKER = Pattern.compile("<!--\\s*(checked|checked-builder):\\s*(\\S+)\\s*-->");
    private static final Pattern FIRST_CELL = Pattern.compile("^\\|\\s*([^|]*)\\|");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern VARIABLE = Pattern.compile("[A-Z][A-Z0-9_]*");

    /** marker ("checked: x" or "checked-builder: x") → the first-column code spans of its table */
    static Map<String, List<String>> tables = new LinkedHashMap<>();
    static List<String> unmarkedVariables = new ArrayList<>();
    static String text;

    @BeforeAll
    static void parse() throws IOException {
        Path doc = DeployFiles.root().resolve("docs/configuration.md");
        text = Files.readString(doc);
        String current = null;
        boolean inTable = false;
        for (String line : text.split("\n")) {
            Matcher marker = MARKER.matcher(line);
            if (marker.find()) {
                current = marker.group(1) + ": " + marker.group(2);
                assertThat(tables).as("marker used twice: " + current).doesNotContainKey(current);
                tables.put(current, new ArrayList<>());
                inTable = false;
                continue;
            }
            if (line.startsWith("|")) {
                inTable = true;
                Matcher cell = FIRST_CELL.matcher(line);
                if (!cell.find() || cell.group(1).trim().matches("-+") || line.startsWith("|---")) continue;
                Matcher code = CODE.matcher(cell.group(1));
                while (code.find()) {
                    String token = code.group(1);
                    if (current != null) {
                        tables.get(current).add(token);
                    } else if (VARIABLE.matcher(token).matches()) {
                        unmarkedVariables.add(token);
                    }
                }
            } else if (inTable || (!line.isBlank() && current != null && !tables.get(current).isEmpty())) {
                current = null;
                inTable = false;
            }
        }
    }

    private static Set<String> variablesIn(String marker) {
        Set<String> out = new LinkedHashSet<>();
        for (String token : tables.get(marker)) {
            if (VARIABLE.matcher(token).matches()) out.add(token);
        }
        return out;
    }

    /** What the code says for a "checked:" marker's source. */
    static List<String> codeList(String source) throws Exception {
        if (source.startsWith("deploy/")) {
            List<String> names = new ArrayList<>();
            for (String line : Files.readAllLines(DeployFiles.root().resolve(source))) {
                if (!line.isBlank() && !line.startsWith("#")) names.add(line.substring(0, line.indexOf('=')));
            }
            return names;
        }
        int hash = source.indexOf('#');
        Class<?> type = Class.forName(source.substring(0, hash));
        Field field = type.getDeclaredField(source.substring(hash + 1));
        assertThat(Modifier.isStatic(field.getModifiers())).as(source + " is static").isTrue();
        field.setAccessible(true); // e.g. the server's package-private ServerSettings.VARIABLES
        Object value = field.get(null);
        if (value instanceof String) return List.of((String) value);
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) value) out.add((String) o);
        return out;
    }

    @Test
    void coreVariablesAreCheckedAgainstRedkitConfig() {
        assertThat(tables).containsKey("checked: io.redkit.core.RedkitConfig#VARIABLES");
        assertThat(variablesIn("checked: io.redkit.core.RedkitConfig#VARIABLES"))
                .containsExactlyElementsOf(RedkitConfig.VARIABLES);
    }

    @Test
    void everyCheckedTableListsExactlyTheVariablesItsSourceReads() throws Exception {
        for (String marker : tables.keySet()) {
            if (!marker.startsWith("checked: ")) continue;
            String source = marker.substring("checked: ".length());
            assertThat(variablesIn(marker)).as("docs/configuration.md table for " + source)
                    .containsExactlyInAnyOrderElementsOf(new TreeSet<>(codeList(source)));
        }
    }

    @Test
    void everyDocumentedVariableIsInACheckedTable() {
        assertThat(unmarkedVariables).as("variables in tables without a <!-- checked: ... --> marker").isEmpty();
    }

    @Test
    void everyBuilderOptionIsDocumented() throws Exception {
        boolean any = false;
        for (String marker : tables.keySet()) {
            if (!marker.startsWith("checked-builder: ")) continue;
            any = true;
            Class<?> builder = Class.forName(marker.substring("checked-builder: ".length()));
            Set<String> inCode = new TreeSet<>();
            for (Method m : builder.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !m.getName().equals("build")) inCode.add(m.getName());
            }
            Set<String> documented = new TreeSet<>();
            for (String token : tables.get(marker)) {
                int paren = token.indexOf('(');
                if (paren > 0) documented.add(token.substring(0, paren));
            }
            assertThat(documented).as("options of " + builder.getName()).isEqualTo(inCode);
        }
        assertThat(any).as("a checked-builder table for RedkitConfig.Builder").isTrue();
    }

    @Test
    void documentedDefaultsMatchTheConstants() {
        assertThat(row("REDIS_CONNECT_TIMEOUT")).contains("| `" + RedkitConfig.DEFAULT_CONNECT_TIMEOUT.toSeconds() + "s` |");
        assertThat(row("REDIS_COMMAND_TIMEOUT")).contains("| `" + RedkitConfig.DEFAULT_COMMAND_TIMEOUT.toSeconds() + "s` |");
        assertThat(row("REDKIT_KEY_PREFIX")).contains("| `" + RedkitConfig.DEFAULT_KEY_PREFIX + "` |");
    }

    private static String row(String variable) {
        return text.lines().filter(l -> l.startsWith("| `" + variable + "` |")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + variable));
    }
}
