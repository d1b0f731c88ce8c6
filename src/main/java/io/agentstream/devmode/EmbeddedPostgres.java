package io.agentstream.devmode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.agentstream.config.DatabaseUrl;

/**
 * A PostgreSQL server run from the binaries shipped in the application, with its data in a
 * directory that survives restarts: development mode when DATABASE_URL is unset, and the
 * tests' last resort when no other PostgreSQL exists.
 *
 * <ul>
 *   <li>PostgreSQL refuses to run as root. Run by root, every server program runs as the
 *       unprivileged user 65534 ({@code setpriv}), which owns the data directory.</li>
 *   <li>It listens on 127.0.0.1 only, on a free port chosen at each start, with no Unix
 *       socket. Given a password (development mode's, kept beside the data), every connection
 *       must give it (scram-sha-256), also on a data directory a release without one made;
 *       without one (the tests' own servers) it trusts local connections. For development,
 *       never for production.</li>
 *   <li>A clean stop ({@link #close()}) leaves no process behind. After a crash the server
 *       may outlive its owner: the next start finds it through {@code postmaster.pid} and the
 *       owner file beside it, stops it and starts afresh. While the owner is alive, another
 *       process (the {@code keys} command) uses the running server without owning it.</li>
 * </ul>
 */
public final class EmbeddedPostgres implements AutoCloseable {

    public static final String USER = "postgres";
    private static final int UNPRIVILEGED_ID = 65534;
    private static final String OWNER_FILE = "agentstream.owner";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** The only variables the server's programs are given (with LC_ALL=C). */
    private static final Set<String> SERVER_ENVIRONMENT = Set.of("PATH", "TMPDIR", "TZ");

    private final Path binaries;
    private final Path dataDirectory;
    private final int port;
    private final boolean owned;
    private final List<String> runAs;
    private final String password;

    private EmbeddedPostgres(Path binaries, Path dataDirectory, int port, boolean owned, List<String> runAs, String password) {
        this.password = password;
        this.binaries = binaries;
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.owned = owned;
        this.runAs = runAs;
    }

    /**
     * Starts the server on {@code dataDirectory} (created and initialised when empty), or joins
     * the one another live process runs there.
     *
     * @param settings extra {@code -c name=value} server settings (the tests turn fsync off)
     */
    public static EmbeddedPostgres start(Path dataDirectory, List<String> settings) {
        return start(dataDirectory, settings, null);
    }

    /**
     * As {@link #start(Path, List)}; with a {@code password}, a new server checks it on every
     * TCP connection (scram-sha-256) instead of trusting them.
     */
    public static EmbeddedPostgres start(Path dataDirectory, List<String> settings, String password) {
        Path data = dataDirectory.toAbsolutePath().normalize();
        List<String> runAs = runAsPrefix();
        Path binaries = PostgresBinaries.install();
        prepareDirectory(data, !runAs.isEmpty());
        // One process at a time decides whether to initialise, start or join.
        Path lockFile = data.resolveSibling(data.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            if (!Files.exists(data.resolve("PG_VERSION"))) {
                initialise(binaries, data, runAs, password);
            }
            Optional<Integer> running = runningServerPort(data);
            if (running.isPresent()) {
                if (liveOwner(data).isPresent()) {
                    return new EmbeddedPostgres(binaries, data, running.get(), false, runAs, password);
                }
                // Left behind by a process that died without stopping it.
                run(runAs, binaries, Duration.ofSeconds(60), "pg_ctl", "stop", "-D", data.toString(), "-m", "fast", "-w");
            }
            int port = freePort();
            List<String> options = new ArrayList<>(List.of("-p", Integer.toString(port),
                    "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=''"));
            for (String setting : settings) {
                options.add("-c");
                options.add(setting);
            }
            run(runAs, binaries, START_TIMEOUT.plusSeconds(10), "pg_ctl", "start", "-D", data.toString(),
                    "-l", data.resolve("server.log").toString(), "-w", "-t", Long.toString(START_TIMEOUT.toSeconds()),
                    "-o", String.join(" ", options));
            Files.writeString(data.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
            if (password != null) {
                requirePassword(data, port, password);
            }
            return new EmbeddedPostgres(binaries, data, port, true, runAs, password);
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot use " + data + " for the embedded PostgreSQL (" + e.getMessage()
                    + "): set EMBEDDED_DATA_DIR to a writable directory, or DATABASE_URL to a PostgreSQL server");
        }
    }

    public int port() {
        return port;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Whether this process started the server (and so stops it). */
    public boolean owned() {
        return owned;
    }

    /** The URL of {@code database} on this server, created first if it does not exist. */
    public DatabaseUrl createDatabase(String database) {
        DatabaseUrl maintenance = url("postgres");
        try (Connection connection = DriverManager.getConnection(maintenance.jdbcUrl(), USER, password);
             PreparedStatement exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, database);
            try (ResultSet result = exists.executeQuery()) {
                if (!result.next()) {
                    try (Statement create = connection.createStatement()) {
                        create.execute("create database \"" + database.replace("\"", "\"\"") + "\"");
                    }
                }
            }
        } catch (SQLException e) {
            throw new EmbeddedPostgresException("the embedded PostgreSQL on port " + port + " refused to create database "
                    + database + " (" + e.getMessage() + "); see " + dataDirectory.resolve("server.log"));
        }
        return url(database);
    }

    public DatabaseUrl url(String database) {
        return new DatabaseUrl("127.0.0.1", port, database, USER, password);
    }

    /** Stops the server if this process started it; waits until it has exited. */
    @Override
    public void close() {
        if (!owned) {
            return;
        }
        try {
            run(runAs, binaries, Duration.ofSeconds(60), "pg_ctl", "stop", "-D", dataDirectory.toString(), "-m", "fast", "-w");
            Files.deleteIfExists(dataDirectory.resolve(OWNER_FILE));
        } catch (IOException | EmbeddedPostgresException e) {
            System.err.println("Stopping the embedded PostgreSQL failed: " + e.getMessage());
        }
    }

    private static List<String> runAsPrefix() {
        if (!isRoot()) {
            return List.of();
        }
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv")) && !Files.isExecutable(Path.of("/bin/setpriv"))) {
            throw new EmbeddedPostgresException("running as root, the embedded PostgreSQL needs setpriv (util-linux) to drop "
                    + "to an unprivileged user: install util-linux, run as another user, or set DATABASE_URL");
        }
        return List.of("setpriv", "--reuid=" + UNPRIVILEGED_ID, "--regid=" + UNPRIVILEGED_ID, "--clear-groups");
    }

    /**
     * Where the data can live for {@code wanted}: there, unless this is root and a directory
     * above it is closed to others (root's home is), so that the unprivileged server could not
     * reach it. Then under /var/tmp (which survives reboots), in a directory named after
     * {@code wanted}, so every start from the same place finds the same data; it must belong to
     * root and be writable by no one else, or start-up stops.
     */
    public static Path reachableDataDirectory(Path wanted) {
        Path data = wanted.toAbsolutePath().normalize();
        if (!isRoot() || enterableByOthers(data.getParent())) {
            return data;
        }
        try {
            String name = "agentstream-" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(data.toString().getBytes(StandardCharsets.UTF_8)), 0, 8);
            Path home = Path.of("/var/tmp", name);
            if (!Files.exists(home, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(home);
                Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx--x--x"));
            }
            int owner = ((Number) Files.getAttribute(home, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).intValue();
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(home, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (owner != 0 || Files.isSymbolicLink(home) || permissions.contains(PosixFilePermission.GROUP_WRITE)
                    || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new EmbeddedPostgresException(home + " (for the embedded PostgreSQL's data, since " + data.getParent()
                        + " is closed to the unprivileged user it runs as) is not root's alone: remove it, or set "
                        + "EMBEDDED_DATA_DIR to a directory others may enter");
            }
            return home.resolve("postgres");
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new EmbeddedPostgresException("cannot make a directory for the embedded PostgreSQL's data under /var/tmp ("
                    + e.getMessage() + "): set EMBEDDED_DATA_DIR to a directory others may enter");
        }
    }

    /** Whether every directory from {@code directory} up may be entered by others (missing ones count as yes). */
    private static boolean enterableByOthers(Path directory) {
        for (Path parent = directory; parent != null; parent = parent.getParent()) {
            try {
                if (Files.exists(parent) && !Files.getPosixFilePermissions(parent).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static void prepareDirectory(Path data, boolean asRoot) {
        try {
            Files.createDirectories(data);
            if (Files.exists(data.resolve("PG_VERSION"))) {
                return;
            }
            try (var entries = Files.list(data)) {
                if (entries.findAny().isPresent()) {
                    throw new EmbeddedPostgresException("EMBEDDED_DATA_DIR " + data + " is neither empty nor a PostgreSQL "
                            + "data directory: point EMBEDDED_DATA_DIR at an empty or missing directory");
                }
            }
            Files.setPosixFilePermissions(data, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE));
            if (asRoot) {
                for (Path parent = data.getParent(); parent != null; parent = parent.getParent()) {
                    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(parent);
                    if (!permissions.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                        throw new EmbeddedPostgresException("EMBEDDED_DATA_DIR " + data + " lies inside " + parent
                                + ", which the unprivileged user (uid " + UNPRIVILEGED_ID + ") running PostgreSQL for root "
                                + "cannot enter: set EMBEDDED_DATA_DIR to a directory outside it");
                    }
                }
                Files.setAttribute(data, "unix:uid", UNPRIVILEGED_ID);
                Files.setAttribute(data, "unix:gid", UNPRIVILEGED_ID);
            }
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot create EMBEDDED_DATA_DIR " + data + " (" + e.getMessage()
                    + "): set EMBEDDED_DATA_DIR to a writable directory, or DATABASE_URL to a PostgreSQL server");
        }
    }

    private static void initialise(Path binaries, Path data, List<String> runAs, String password) throws IOException {
        if (password == null) {
            run(runAs, binaries, Duration.ofMinutes(2), "initdb", "-D", data.toString(), "-U", USER, "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-instructions");
            return;
        }
        Path passwordFile = Files.createTempFile("agentstream-initdb-", ".pw",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(passwordFile, password, StandardCharsets.UTF_8);
            if (!runAs.isEmpty()) {
                Files.setAttribute(passwordFile, "unix:uid", UNPRIVILEGED_ID);
            }
            run(runAs, binaries, Duration.ofMinutes(2), "initdb", "-D", data.toString(), "-U", USER,
                    "--auth-host=scram-sha-256", "--auth-local=trust", "--pwfile=" + passwordFile,
                    "-E", "UTF8", "--locale=C", "--no-instructions");
        } finally {
            Files.deleteIfExists(passwordFile);
        }
    }

    /**
     * A data directory made by a release that trusted TCP connections from this machine: the
     * superuser gets the password, and connections must give it from now on.
     */
    private static void requirePassword(Path data, int port, String password) throws IOException {
        Path rules = data.resolve("pg_hba.conf");
        List<String> lines = Files.readAllLines(rules, StandardCharsets.UTF_8);
        if (lines.stream().noneMatch(EmbeddedPostgres::trustsTcp)) {
            return;
        }
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, "");
             Statement statement = connection.createStatement()) {
            // Base64url characters only: nothing to escape.
            statement.execute("set password_encryption = 'scram-sha-256'");
            statement.execute("alter user " + USER + " password '" + password + "'");
            // Rewritten in place, keeping the file's owner (the server's user, when started by root).
            Files.write(rules, lines.stream().map(line -> trustsTcp(line) ? line.replaceFirst("trust\\s*$", "scram-sha-256") : line)
                    .toList(), StandardCharsets.UTF_8);
            statement.execute("select pg_reload_conf()");
        } catch (SQLException e) {
            throw new EmbeddedPostgresException("could not set the embedded PostgreSQL's password (" + e.getMessage()
                    + "); see " + data.resolve("server.log"));
        }
    }

    private static boolean trustsTcp(String line) {
        return line.startsWith("host") && line.strip().endsWith("trust");
    }

    /** The port of a live server on {@code data}, read from its {@code postmaster.pid}. */
    private static Optional<Integer> runningServerPort(Path data) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
        if (lines.size() < 4) {
            return Optional.empty();
        }
        long pid;
        int port;
        try {
            pid = Long.parseLong(lines.get(0).strip());
            port = Integer.parseInt(lines.get(3).strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        boolean postgres = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .flatMap(process -> process.info().command())
                .map(command -> command.endsWith("/postgres") || command.equals("postgres"))
                .orElse(false);
        if (!postgres) {
            // A stale file from a crash (or a reused process id): PostgreSQL would refuse to start over it.
            Files.deleteIfExists(pidFile);
            return Optional.empty();
        }
        return Optional.of(port);
    }

    private static Optional<Long> liveOwner(Path data) throws IOException {
        Path owner = data.resolve(OWNER_FILE);
        if (!Files.exists(owner)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(owner, StandardCharsets.US_ASCII).strip());
            return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    ? Optional.of(pid) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void run(List<String> runAs, Path binaries, Duration timeout, String program, String... arguments)
            throws IOException {
        List<String> command = new ArrayList<>(runAs);
        command.add(binaries.resolve("bin").resolve(program).toString());
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // The server inherits what its programs get, and a database superuser can read it back
        // (COPY ... FROM PROGRAM 'env'): none of the service's variables (ADMIN_API_KEY,
        // STREAM_TOKEN_SECRET, ...), only what the programs need.
        Map<String, String> environment = builder.environment();
        environment.keySet().retainAll(SERVER_ENVIRONMENT);
        environment.put("LC_ALL", "C");
        // Write-able by the unprivileged user: initdb and pg_ctl may write to the current directory.
        builder.directory(Path.of(System.getProperty("java.io.tmpdir")).toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output;
        try {
            output = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new EmbeddedPostgresException(program + " did not finish within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new EmbeddedPostgresException(program + " was interrupted");
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (process.exitValue() != 0) {
            String text = new String(output, StandardCharsets.UTF_8).strip();
            String last = text.lines().reduce((first, second) -> second).orElse("no output");
            throw new EmbeddedPostgresException("the embedded PostgreSQL failed (" + program + ": " + last
                    + "; its log is server.log in EMBEDDED_DATA_DIR): fix that, or set DATABASE_URL to a PostgreSQL server");
        }
    }
}
