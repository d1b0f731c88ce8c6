package io.agentstream.auth;

import java.time.OffsetDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.agentstream.auth.ApiKeyPrincipal.Scope;
import io.agentstream.auth.ApiKeyStore.StoredKey;
import io.agentstream.http.Routes;
import io.agentstream.problem.ApiProblem;
import io.agentstream.problem.FieldError;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Key management (admin scope): create (the secret is shown once), list (never the secret), revoke. */
@RestController
class KeyController {

    /** {@code POST /api/keys} body. */
    record NewKey(String name, List<String> scopes) {
    }

    record Created(long id, String name, String prefix, List<String> scopes, OffsetDateTime createdAt, String key) {
    }

    record Listing(List<StoredKey> keys) {
    }

    private final ApiKeyStore store;
    private final KeyChanges changes;

    KeyController(ApiKeyStore store, KeyChanges changes) {
        this.store = store;
        this.changes = changes;
    }

    @PostMapping(Routes.KEYS)
    Mono<ResponseEntity<Created>> create(@RequestBody(required = false) NewKey request) {
        KeyRequest checked = KeyRequest.check(request == null ? null : request.name(), request == null ? null : request.scopes());
        return store.create(checked.name(), checked.scopes())
                .flatMap(created -> changes.created().thenReturn(created))
                .map(created -> ResponseEntity.status(HttpStatus.CREATED)
                .body(new Created(created.key().id(), created.key().name(), created.key().prefix(), created.key().scopes(),
                        created.key().createdAt(), created.secret())));
    }

    @GetMapping(Routes.KEYS)
    Mono<Listing> list() {
        return store.list().collectList().map(Listing::new);
    }

    @DeleteMapping(Routes.KEY)
    Mono<ResponseEntity<Void>> revoke(@PathVariable String id) {
        if (!id.matches("\\d{1,18}")) {
            return Mono.error(notFound());
        }
        long keyId = Long.parseLong(id);
        return store.revoke(keyId)
                .flatMap(revoked -> changes.revoked(keyId).thenReturn(revoked))
                .map(revoked -> ResponseEntity.noContent().<Void>build())
                .switchIfEmpty(Mono.error(KeyController::notFound));
    }

    private static ApiProblem notFound() {
        return new ApiProblem(HttpStatus.NOT_FOUND, "key-not-found", "Key not found", "No key has this id.");
    }

    /** A checked name and scope set, shared with the command line. */
    record KeyRequest(String name, Set<Scope> scopes) {

        static KeyRequest check(String name, List<String> scopeNames) {
            List<FieldError> errors = new java.util.ArrayList<>();
            if (name == null || name.isBlank() || name.length() > 100 || !name.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
                errors.add(new FieldError("name", "must be 1 to 100 printable characters"));
            }
            Set<Scope> scopes = EnumSet.noneOf(Scope.class);
            if (scopeNames == null || scopeNames.isEmpty()) {
                errors.add(new FieldError("scopes", "must name at least one of ingest, read, admin"));
            } else {
                for (String scope : scopeNames) {
                    try {
                        scopes.add(Scope.valueOf(String.valueOf(scope).toUpperCase(Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        errors.add(new FieldError("scopes", "'" + scope + "' is not one of ingest, read, admin"));
                    }
                }
            }
            if (!errors.isEmpty()) {
                throw new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-key-request", "Invalid key request",
                        "The key request is invalid; see errors.").withErrors(errors);
            }
            return new KeyRequest(name.strip(), scopes);
        }
    }
}
