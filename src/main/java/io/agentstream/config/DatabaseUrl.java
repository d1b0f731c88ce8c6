package io.agentstream.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL connection given in libpq URL form,
 * {@code postgresql://user:password@host:port/database}, the form operators already use
 * with psql and most hosting platforms. Translated for R2DBC (runtime) and JDBC (Flyway).
 */
public record DatabaseUrl(String host, int port, String database, String user, String password) {

    static final String VARIABLE = "DATABASE_URL";

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
        return new DatabaseUrl(uri.getHost(), port, database, user, password);
    }

    public String r2dbcUrl() {
        return "r2dbc:postgresql://" + hostForUrl() + ":" + port + "/" + database;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + hostForUrl() + ":" + port + "/" + database;
    }

    private String hostForUrl() {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + user + "@" + host + ":" + port + "/" + database + "]";
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
