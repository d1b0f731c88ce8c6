package io.agentstream.validation;

/** The text lengths an operator may tune (see {@code IngestProperties}). */
public enum Limit {
    CONTENT,
    SUMMARY_TEXT,
    SUMMARY_SHORT_TEXT
}
