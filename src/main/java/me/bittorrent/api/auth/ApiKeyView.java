package me.bittorrent.api.auth;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/** An API key as the API shows it; {@code key} is present only in the answer that created it (shown once). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiKeyView(String id, String name, Instant createdAt, String key) {
}
