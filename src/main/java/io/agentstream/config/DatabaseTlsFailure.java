package io.agentstream.config;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;

import javax.net.ssl.SSLException;

/**
 * Which TLS check stopped the connection to PostgreSQL, and the DATABASE_URL parameter that
 * fixes it. Every one of these is a connection failure to the driver (SQLSTATE 08xxx or
 * 28000), which would otherwise read as a server that does not answer. Recognised by the
 * JDK's exception types where the driver keeps them as causes, else by the PostgreSQL JDBC
 * driver's own messages (the migrations connect first, over JDBC).
 */
final class DatabaseTlsFailure {

    private DatabaseTlsFailure() {
    }

    /** One sentence naming the failed check and the fix, or null when TLS is not the cause. */
    static String describe(Throwable failure, DatabaseUrl database) {
        String where = database == null ? "PostgreSQL" : "PostgreSQL on " + database.host() + ":" + database.port();
        String mode = database == null ? null : database.parameters().sslMode();
        String rootCert = database == null ? null : database.parameters().sslRootCert();
        String messages = messages(failure);
        if (messages.contains("could not be verified by hostnameverifier")) {
            String host = database == null ? "the host in DATABASE_URL" : "\"" + database.host() + "\"";
            return "DATABASE_URL: the certificate " + where + " presented does not name " + host
                    + " (sslmode=verify-full checks the host name). Connect by a host name the certificate names, "
                    + "or set sslmode=verify-ca to check only that a trusted CA signed it.";
        }
        if (untrusted(failure)) {
            return "DATABASE_URL: the certificate " + where + " presented is not signed by a CA in "
                    + (rootCert == null ? "sslrootcert" : "sslrootcert (" + rootCert + ")")
                    + ". Set sslrootcert to the CA certificate that signed the server's certificate"
                    + (mode == null ? "." : ", or sslmode=require to encrypt without verifying the server (sslmode is " + mode + ").");
        }
        if (messages.contains("root certificate file")) {
            return "DATABASE_URL: sslmode=" + (mode == null ? "verify-full" : mode) + " needs the CA certificate to verify "
                    + where + " with, and none could be read" + (rootCert == null ? "" : " at sslrootcert (" + rootCert + ")")
                    + ". Set sslrootcert to a readable file holding the CA certificate.";
        }
        if (messages.contains("the server does not support ssl")) {
            return "DATABASE_URL: " + where + " does not accept TLS connections (sslmode is "
                    + (mode == null ? "require" : mode) + "). Turn ssl on in the server's postgresql.conf, "
                    + "or set sslmode=prefer (TLS when offered) or sslmode=disable.";
        }
        if (messages.contains("no encryption") && messages.contains("pg_hba.conf")) {
            return "DATABASE_URL: " + where + " has no pg_hba.conf entry that lets an unencrypted connection in"
                    + (mode == null ? "" : " (sslmode is " + mode + ")")
                    + ". If it takes TLS connections (hostssl), set sslmode=verify-full with sslrootcert, or sslmode=require; "
                    + "else add a pg_hba.conf entry for this host, user and database.";
        }
        if (find(failure, SSLException.class) != null) {
            return "DATABASE_URL: the TLS handshake with " + where + " failed (" + find(failure, SSLException.class).getClass().getSimpleName()
                    + "). Check sslmode, sslrootcert, sslcert and sslkey against what the server requires.";
        }
        return null;
    }

    private static boolean untrusted(Throwable failure) {
        if (find(failure, CertPathBuilderException.class) != null || find(failure, CertPathValidatorException.class) != null) {
            return true;
        }
        // sun.security.validator.ValidatorException, not exported: a CertificateException by its type.
        CertificateException certificate = find(failure, CertificateException.class);
        return certificate != null && certificate.getClass().getName().startsWith("sun.security.validator.")
                || messages(failure).contains("pkix path");
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        int depth = 0;
        for (Throwable cause = failure; cause != null && depth < 16; cause = cause.getCause(), depth++) {
            if (cause.getMessage() != null) {
                all.append(cause.getMessage().toLowerCase(Locale.ROOT)).append('\n');
            }
        }
        return all.toString();
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        int depth = 0;
        for (Throwable cause = failure; cause != null && depth < 16; cause = cause.getCause(), depth++) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }
}
