package io.agentstream.devmode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.agentstream.config.DatabaseUrl;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Development mode: with DATABASE_URL unset, agentstream starts the embedded PostgreSQL
 * (data under EMBEDDED_DATA_DIR, default {@code ./data/postgres}) and hands its URL to
 * {@code config.EnvironmentTranslator} as DATABASE_URL, before any DataSource, connection
 * factory or Flyway exists. With no AGENTPIPE_BRIDGE_API_KEY it also makes a development
 * key ({@code dev-key} beside the data directory) and prints a banner once the service is
 * ready. DATABASE_URL set (production, the image, compose) skips all of this.
 */
class DevModeEnvironment implements EnvironmentPostProcessor, Ordered {

    static final String ENABLED = "agentstream.dev-mode.enabled";
    static final String DEFAULT_DATA_DIR = "data/postgres";
    static final String DATABASE = "agentstream";
    /** Beside the data directory, like the development key. */
    static final String PASSWORD_FILE = "postgres-password";

    private final Log log;

    DevModeEnvironment(DeferredLogFactory logFactory) {
        this.log = logFactory.getLog(DevModeEnvironment.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!active(environment)) {
            return;
        }
        String configured = environment.getProperty("EMBEDDED_DATA_DIR", "").strip();
        // The key and the password stay where the configuration puts them, readable by this user only.
        Path here = Path.of(configured.isEmpty() ? DEFAULT_DATA_DIR : configured).toAbsolutePath().normalize();
        // An explicit EMBEDDED_DATA_DIR is used as given; the default moves where the server can reach it.
        Path data = configured.isEmpty() ? EmbeddedPostgres.reachableDataDirectory(here) : here;
        log.warn("DATABASE_URL is not set: starting the embedded PostgreSQL in " + data
                + " (development mode, not for production)");
        String password = DatabasePassword.loadOrCreate(here.resolveSibling(PASSWORD_FILE));
        EmbeddedPostgres postgres = EmbeddedPostgres.start(data, List.of(), password);
        // After the application context has closed (graceful shutdown included), or when start-up fails.
        SpringApplication.getShutdownHandlers().add(postgres::close);
        DatabaseUrl url = postgres.createDatabase(DATABASE);
        environment.getPropertySources().addLast(new MapPropertySource("agentstreamDevMode",
                Map.of("DATABASE_URL", "postgresql://" + url.user() + ":" + password + "@" + url.host() + ":" + url.port()
                        + "/" + url.database())));

        DevKey key = null;
        if (environment.getProperty("agentstream.auth.bootstrap-keys", "").isBlank()) {
            key = DevKey.loadOrCreate(here.resolveSibling("dev-key"));
            // First: an empty AGENTPIPE_BRIDGE_API_KEY (a copied .env) must not hide the key.
            environment.getPropertySources().addFirst(new MapPropertySource("agentstreamDevKey",
                    Map.of("agentstream.auth.bootstrap-keys", key.value())));
        }
        application.addListeners(new Banner(postgres, key, here.resolveSibling("dev-key"), here.resolveSibling(PASSWORD_FILE)));
    }

    static boolean active(ConfigurableEnvironment environment) {
        return environment.getProperty(ENABLED, Boolean.class, true)
                && environment.getProperty("DATABASE_URL", "").isBlank()
                && environment.getProperty("spring.r2dbc.url", "").isBlank();
    }

    @Override
    public int getOrder() {
        // Before EnvironmentTranslator (the lowest precedence), which turns DATABASE_URL into Boot's properties.
        return Ordered.LOWEST_PRECEDENCE - 10;
    }

    /** Printed once the service answers: where it is, which key to use, and that it is for development. */
    private record Banner(EmbeddedPostgres postgres, DevKey key, Path keyFile, Path passwordFile)
            implements ApplicationListener<ApplicationReadyEvent> {

        @Override
        public void onApplicationEvent(ApplicationReadyEvent event) {
            String port = event.getApplicationContext().getEnvironment().getProperty("local.server.port");
            if (port == null) {
                return; // the keys command: no web server
            }
            String api = "http://localhost:" + port + "/api";
            String shownKeyFile = shortest(keyFile);
            String keyLine;
            String bearer;
            if (key == null) {
                keyLine = "the keys you configured (AGENTPIPE_BRIDGE_API_KEY)";
                bearer = "$AGENTPIPE_BRIDGE_API_KEY";
            } else if (key.created()) {
                keyLine = key.value() + "   (shown once; kept in " + shownKeyFile + ")";
                bearer = key.value();
            } else {
                keyLine = "in " + shownKeyFile;
                bearer = "$(cat " + shownKeyFile + ")";
            }
            String rule = "-".repeat(78);
            System.out.println(String.join(System.lineSeparator(),
                    rule,
                    " agentstream: embedded PostgreSQL \u2014 development mode, not for production",
                    " API:       " + api + "   (health: " + api + "/health)",
                    " database:  PostgreSQL on 127.0.0.1:" + postgres.port() + ", data in " + shortest(postgres.dataDirectory())
                            + ", password in " + shortest(passwordFile),
                    " key:       " + keyLine,
                    " try:       curl -H \"Authorization: Bearer " + bearer + "\" " + api + "/conversations",
                    " production: set DATABASE_URL (see README, Production)",
                    rule));
        }

        private static String shortest(Path path) {
            Path here = Path.of("").toAbsolutePath();
            return path.startsWith(here) ? here.relativize(path).toString() : path.toString();
        }
    }
}
