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
 * The development key: generated on the first start in development mode, kept in a file
 * only its owner can read, and reused by every later start, so scripts written against it
 * keep working.
 */
record DevKey(String value, boolean created) {

    static DevKey loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                String value = Files.readString(file, StandardCharsets.US_ASCII).strip();
                if (value.length() >= 16) {
                    return new DevKey(value, false);
                }
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String value = "ap_dev_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, value + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            return new DevKey(value, true);
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot write the development key to " + file + " (" + e.getMessage()
                    + "): make its directory writable, or set AGENTPIPE_BRIDGE_API_KEY");
        }
    }
}
