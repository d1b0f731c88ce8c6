package io.agentstream.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A PostgreSQL connection given in libpq URL form,
 * {@code postgresql://user:password@host:port/database?sslmode=verify-full&sslrootcert=/ca.pem},
 * the form operators already use with psql and most hosting platforms. Translated for R2DBC
 * (runtime) and JDBC (Flyway), so both connect the same way.
 *
 * @param parameters the libpq parameters of the query string that agentstream supports; any
 *                   other parameter is refused, so a misspelt {@code sslmode} can never
 *                   silently connect without TLS
 */
public record DatabaseUrl(String host, int port, String database, String user, String password, Parameters parameters) {

    static final String VARIABLE = "DATABASE_URL";

    /** libpq's sslmode values, weakest first. */
    static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    static final List<String> SUPPORTED = List.of("sslmode", "sslrootcert", "sslcert", "sslkey", "application_name",
            "connect_timeout");

    private static final Pattern APPLICATION_NAME = Pattern.compile("[\\x20-\\x7E]{1,63}");

    /**
     * The query string's parameters, with libpq's meaning.
     *
     * @param sslMode               libpq's sslmode; {@code prefer} (libpq's default) when not given
     * @param sslRootCert           CA certificate file (PEM) that verify-ca and verify-full check the server against
     * @param sslCert               client certificate file (PEM)
     * @param sslKey                client private key file (PKCS #8)
     * @param applicationName       shown in pg_stat_activity; {@code agentstream} when not given
     * @param connectTimeoutSeconds how long a connection attempt may take; 3 when not given
     */
    public record Parameters(String sslMode, String sslRootCert, String sslCert, String sslKey, String applicationName,
                             int connectTimeoutSeconds) {

        public static final Parameters DEFAULTS = new Parameters("prefer", null, null, null, "agentstream", 3);
    }

    /** A URL without parameters: libpq's defaults. */
    public DatabaseUrl(String host, int port, String database, String user, String password) {
        this(host, port, database, user, password, Parameters.DEFAULTS);
    }

    public static DatabaseUrl parse(String value) {
        if (value == null || value.isBlank()) {
            throw invalid("is empty");
        }
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw invalid("is not a URL");
        }
        String scheme = uri.getScheme();
        if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
            throw invalid("must start with postgresql://");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw invalid("has no host");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = decode(path.startsWith("/") ? path.substring(1) : path);
        if (database.isBlank() || database.contains("/")) {
            throw invalid("must name one database, as in postgresql://user@host:5432/agentstream");
        }
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        String user = "postgres";
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        if (user.isBlank()) {
            throw invalid("has an empty user name");
        }
        return new DatabaseUrl(uri.getHost(), port, database, user, password, parameters(uri.getRawQuery()));
    }

    private static Parameters parameters(String rawQuery) {
        Map<String, String> given = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals));
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                if (!SUPPORTED.contains(name)) {
                    throw invalid("has the unknown parameter '" + printable(name) + "' (supported: "
                            + String.join(", ", SUPPORTED) + ")");
                }
                if (given.put(name, value) != null) {
                    throw invalid("gives the parameter '" + name + "' twice");
                }
            }
        }
        Parameters defaults = Parameters.DEFAULTS;
        String sslMode = given.getOrDefault("sslmode", defaults.sslMode());
        if (!SSL_MODES.contains(sslMode)) {
            throw invalid("has sslmode '" + printable(sslMode) + "'; it must be one of " + String.join(", ", SSL_MODES));
        }
        String rootCert = file(given, "sslrootcert");
        String cert = file(given, "sslcert");
        String key = file(given, "sslkey");
        if ((cert == null) != (key == null)) {
            throw invalid("must give sslcert and sslkey together (a client certificate and its key)");
        }
        String applicationName = given.getOrDefault("application_name", defaults.applicationName());
        if (!APPLICATION_NAME.matcher(applicationName).matches()) {
            throw invalid("has an application_name that is not 1 to 63 printable ASCII characters");
        }
        int connectTimeout = defaults.connectTimeoutSeconds();
        if (given.containsKey("connect_timeout")) {
            String text = given.get("connect_timeout");
            if (!text.matches("\\d{1,4}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 600) {
                throw invalid("has a connect_timeout that is not a whole number of seconds from 1 to 600");
            }
            connectTimeout = Integer.parseInt(text);
        }
        return new Parameters(sslMode, rootCert, cert, key, applicationName, connectTimeout);
    }

    /** A file parameter must name a readable file: a typo would otherwise show only at the first connection. */
    private static String file(Map<String, String> given, String name) {
        String value = given.get(name);
        if (value == null) {
            return null;
        }
        if (value.isBlank() || !Files.isReadable(Path.of(value))) {
            throw invalid("has " + name + " naming a file that does not exist or cannot be read");
        }
        return value;
    }

    public String r2dbcUrl() {
        return "r2dbc:postgresql://" + hostForUrl() + ":" + port + "/" + database;
    }

    /**
     * The R2DBC driver's options for the parameters (Spring Boot's {@code spring.r2dbc.properties.*}).
     * They are options rather than URL query parameters so that file paths need no escaping.
     */
    public Map<String, String> r2dbcOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("sslMode", parameters.sslMode());
        if (parameters.sslRootCert() != null) {
            options.put("sslRootCert", parameters.sslRootCert());
        }
        if (parameters.sslCert() != null) {
            options.put("sslCert", parameters.sslCert());
            options.put("sslKey", parameters.sslKey());
        }
        options.put("applicationName", parameters.applicationName());
        options.put("connectTimeout", "PT" + parameters.connectTimeoutSeconds() + "S");
        return options;
    }

    /** The JDBC URL Flyway connects with: PostgreSQL JDBC takes libpq's sslmode values as they are. */
    public String jdbcUrl() {
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(hostForUrl()).append(':').append(port)
                .append('/').append(database);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("sslmode", parameters.sslMode());
        if (parameters.sslRootCert() != null) {
            query.put("sslrootcert", parameters.sslRootCert());
        }
        if (parameters.sslCert() != null) {
            query.put("sslcert", parameters.sslCert());
            query.put("sslkey", parameters.sslKey());
        }
        query.put("ApplicationName", parameters.applicationName());
        query.put("connectTimeout", Integer.toString(parameters.connectTimeoutSeconds()));
        char separator = '?';
        for (Map.Entry<String, String> entry : query.entrySet()) {
            url.append(separator).append(entry.getKey()).append('=')
                    .append(java.net.URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8).replace("+", "%20"));
            separator = '&';
        }
        return url.toString();
    }

    private String hostForUrl() {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + user + "@" + host + ":" + port + "/" + database + ", sslmode=" + parameters.sslMode() + "]";
    }

    /** A name or value quoted back in a message: never more than a short printable excerpt. */
    private static String printable(String text) {
        String cleaned = text.replaceAll("[^\\x20-\\x7E]", "?");
        return cleaned.length() <= 40 ? cleaned : cleaned.substring(0, 40) + "…";
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("contains a malformed %-escape");
        }
    }

    private static InvalidConfigurationException invalid(String reason) {
        return new InvalidConfigurationException(VARIABLE, reason);
    }
}
