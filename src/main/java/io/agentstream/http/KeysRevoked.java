package io.agentstream.http;

import java.util.Set;

/**
 * Published on an instance when keys it held as active are no longer (revoked here or
 * elsewhere): what the keys opened and still holds open (streams) should end. The ids are
 * key ids as {@link Caller#keyId()} gives them; stream tokens carry their
 * key's id, so streams opened with them are named too.
 */
public record KeysRevoked(Set<String> keyIds) {
}
