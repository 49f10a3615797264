package me.bittorrent.wire;

import java.time.Duration;

/**
 * Timers and limits of an established peer connection.
 *
 * @param idleTimeout       close a peer that sent nothing for this long (BEP 3 practice: 120 s)
 * @param keepAliveInterval send a keep-alive after this long without sending anything (60 s)
 * @param maxFrameLength    the largest frame payload accepted, see {@link FrameDecoder#maxFrameLengthFor(int)}
 */
public record ConnectionSettings(Duration idleTimeout, Duration keepAliveInterval, int maxFrameLength) {

    public static final ConnectionSettings DEFAULTS =
            new ConnectionSettings(Duration.ofSeconds(120), Duration.ofSeconds(60), FrameDecoder.DEFAULT_MAX_FRAME_LENGTH);

    public ConnectionSettings {
        if (idleTimeout.isNegative() || idleTimeout.isZero() || keepAliveInterval.isNegative()
                || keepAliveInterval.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** The defaults with a frame limit that admits the Bitfield of a torrent with {@code pieceCount} pieces. */
    public static ConnectionSettings forPieceCount(int pieceCount) {
        return DEFAULTS.withMaxFrameLength(FrameDecoder.maxFrameLengthFor(pieceCount));
    }

    public ConnectionSettings withMaxFrameLength(int maxFrameLength) {
        return new ConnectionSettings(idleTimeout, keepAliveInterval, maxFrameLength);
    }
}
