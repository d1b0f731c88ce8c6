package io.agentstream.event;

import io.agentstream.validation.ShortText;

/** The CLI's host description. Older CLIs send {@code arch}, newer ones {@code architecture}. */
public record SystemInfo(
        @ShortText String agentpipeVersion,
        @ShortText String os,
        @ShortText String osVersion,
        @ShortText String goVersion,
        @ShortText String architecture,
        @ShortText String arch) {

    public String effectiveArchitecture() {
        return architecture != null ? architecture : arch;
    }
}
