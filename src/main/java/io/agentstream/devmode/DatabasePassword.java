package io.agentstream.devmode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The embedded server's password: random, made on the first start in development mode and
 * kept beside the data in a file only its owner can read, so that another local user cannot
 * connect to the server (as its superuser, who could read files and run programs as the
 * server's user).
 */
final class DatabasePassword {

    private DatabasePassword() {
    }

    static String loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                String value = Files.readString(file, StandardCharsets.US_ASCII).strip();
                if (value.length() >= 32) {
                    return value;
                }
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, value + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            return value;
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot write the embedded PostgreSQL's password to " + file + " ("
                    + e.getMessage() + "): make its directory writable, or set DATABASE_URL");
        }
    }
}
