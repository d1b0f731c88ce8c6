package io.agentstream.auth;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.agentstream.auth.ApiKeyStore.StoredKey;
import io.agentstream.problem.ApiProblem;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Key management from the command line, for operators without an admin key at hand:
 * <pre>
 * java -jar agentstream.jar keys create --name ci --scopes ingest,read
 * java -jar agentstream.jar keys list
 * java -jar agentstream.jar keys revoke 42
 * </pre>
 * It uses the same DATABASE_URL as the service (and runs its migrations first).
 */
@Component
@ConditionalOnProperty("agentstream.cli.keys")
class KeysCommand implements CommandLineRunner, ExitCodeGenerator {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String USAGE = """
            usage: keys create --name <name> --scopes <ingest,read,admin>
                   keys list
                   keys revoke <id>""";

    private final ApiKeyStore store;
    private final KeyChanges changes;
    private final PrintStream out = System.out;
    private int exitCode;

    KeysCommand(ApiKeyStore store, KeyChanges changes) {
        this.store = store;
        this.changes = changes;
    }

    @Override
    public void run(String... args) {
        List<String> arguments = Arrays.stream(args).filter(arg -> !arg.startsWith("--logging.")).toList();
        try {
            String command = arguments.size() > 1 ? arguments.get(1) : "";
            switch (command) {
                case "create" -> create(arguments);
                case "list" -> store.list().doOnNext(this::print).then().block(TIMEOUT);
                case "revoke" -> revoke(arguments);
                default -> fail(USAGE);
            }
        } catch (ApiProblem problem) {
            fail("error: " + problem.getBody().getDetail() + " " + problem.fieldErrors());
        }
    }

    private void create(List<String> arguments) {
        String name = option(arguments, "--name");
        String scopes = option(arguments, "--scopes");
        KeyController.KeyRequest request = KeyController.KeyRequest.check(name,
                scopes == null ? List.of() : Arrays.asList(scopes.split(",")));
        ApiKeyStore.CreatedKey created = store.create(request.name(), request.scopes()).block(TIMEOUT);
        // With REDIS_URL the running instances hear of it at once; without, within their 4 s refresh.
        changes.created().block(TIMEOUT);
        print(created.key());
        out.println("key (shown once, store it now): " + created.secret());
        out.println("(running instances accept it at once)");
    }

    private void revoke(List<String> arguments) {
        String id = arguments.size() > 2 ? arguments.get(2) : "";
        if (!id.matches("\\d{1,18}")) {
            fail(USAGE);
            return;
        }
        if (store.revoke(Long.parseLong(id)).blockOptional(TIMEOUT).isPresent()) {
            changes.revoked(Long.parseLong(id)).block(TIMEOUT);
            out.println("revoked key " + id + " (running instances refuse it at once with Redis, within 4 s without)");
        } else {
            fail("no key has id " + id);
        }
    }

    private void print(StoredKey key) {
        out.printf("%d\t%s\t%s…\t%s\tcreated %s%s%n", key.id(), key.name(), key.prefix(), String.join(",", key.scopes()),
                key.createdAt(), key.revokedAt() == null ? "" : "\trevoked " + key.revokedAt());
    }

    private static String option(List<String> arguments, String name) {
        int at = arguments.indexOf(name);
        return at >= 0 && at + 1 < arguments.size() ? arguments.get(at + 1) : null;
    }

    private void fail(String message) {
        System.err.println(message);
        exitCode = 2;
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
