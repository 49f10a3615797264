package me.bittorrent.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Every error the API returns: {@code {"detail": "..."}}, plus the torrent's id for a duplicate upload. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String detail, String torrentId) {
    public ApiError(String detail) {
        this(detail, null);
    }
}
