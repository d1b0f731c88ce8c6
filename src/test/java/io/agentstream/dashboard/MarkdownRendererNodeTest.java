package io.agentstream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's Markdown renderer (static/assets/markdown.js) under {@code node --test}:
 * src/test/node/markdown holds its tests (output, untrusted content, time linear in the input),
 * run here so that {@code ./mvnw verify} runs them. Skipped with one line where Node.js is not
 * installed, except under CI=true, where that fails it.
 */
class MarkdownRendererNodeTest {

    private static final Path TESTS = Path.of("src/test/node/markdown");

    @Test
    void theRendererPassesItsNodeTests() throws IOException, InterruptedException {
        String node = requireNode();
        String version = run(node, "--version").strip();
        assertThat(loadsScriptsAsModules(version))
                .as("Node.js %s loads the dashboard's .js files as ES modules only from 20.19 or 22.7 on (module syntax detection)", version)
                .isTrue();
        List<String> command = new ArrayList<>(List.of(node, "--test", "--test-reporter=spec"));
        try (Stream<Path> files = Files.list(TESTS)) {
            files.map(Path::toString).filter(name -> name.endsWith(".test.mjs")).sorted().forEach(command::add);
        }
        assertThat(command).as("node test files in " + TESTS).hasSizeGreaterThan(3);
        Path log = Files.createTempFile("markdown-node-test", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                Assertions.fail("node --test did not finish within 180 s:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(output);
            assertThat(process.exitValue()).as("node --test exit code; its output:\n" + output).isZero();
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static boolean loadsScriptsAsModules(String version) {
        String[] parts = version.replaceFirst("^v", "").split("\\.");
        int major = Integer.parseInt(parts[0]);
        int minor = Integer.parseInt(parts[1]);
        return major > 22 || (major == 22 && minor >= 7) || (major == 20 && minor >= 19);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", command) + " finished").isTrue();
        return output;
    }

    private static String requireNode() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "node");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String reason = "Node.js is not installed: the Markdown renderer's node tests skipped";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(reason.replace("skipped", "required under CI=true (.ci/run installs it)"));
        }
        Assumptions.abort(reason);
        return null;
    }
}
