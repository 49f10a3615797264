package me.bittorrent.engine;

import org.jboss.logging.Logger;

import io.quarkus.arc.ClientProxy;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import me.bittorrent.engine.session.WarmUp;
import me.bittorrent.tracker.HttpTrackerClient;
import me.bittorrent.tracker.UdpTrackerClient;

/**
 * Warms at start, on a thread of its own, what a torrent's first start would otherwise initialise on the event
 * loop: the session's classes, the SHA-1 provider, and the tracker clients (the HTTP one builds Vert.x's HTTP
 * client and its connection pool). Start-up does not wait for it: {@code /q/health/ready} is not delayed, and a
 * start that comes first merely does part of the work itself. Nothing to do in a native image (classes are
 * compiled ahead of time and initialised at build or on first use at no loading cost).
 */
@ApplicationScoped
class EngineWarmUp {

    private static final Logger LOG = Logger.getLogger(EngineWarmUp.class);

    /**
     * What a first start still loaded after {@link WarmUp#sessionClasses()} (seen with {@code -Xlog:class+load}):
     * nested and package-private classes, and Vert.x's HTTP client request path used by the first announce.
     */
    static final String[] FIRST_START = {"me.bittorrent.engine.ResumePlan",
        "me.bittorrent.engine.ResumePlan$Kind", "me.bittorrent.storage.SafeFolder",
        "me.bittorrent.storage.DirectWrites", "me.bittorrent.engine.session.DiskIo$Opener",
        "me.bittorrent.engine.session.DiskIo$Opened", "me.bittorrent.engine.session.PiecePicker$Partial",
        "me.bittorrent.tracker.TrackerTiers$Entry", "me.bittorrent.tracker.AnnounceEvent",
        "me.bittorrent.tracker.AnnounceQuery", "me.bittorrent.engine.session.TorrentSession$SwarmHost",
        "me.bittorrent.engine.session.Swarm$Identity", "me.bittorrent.engine.session.PieceVerifier$PieceDisk",
        "me.bittorrent.engine.session.PieceVerifier$Checked", "me.bittorrent.engine.session.PieceBuffers$PieceBuffer",
        "me.bittorrent.engine.session.PieceBuffers$Budget", "me.bittorrent.engine.session.TorrentSession$Verdicts",
        "me.bittorrent.engine.session.PeerListener$Entry", "me.bittorrent.engine.SessionRunner$Running",
        "me.bittorrent.engine.TorrentStory", "me.bittorrent.engine.MagnetTorrents", "me.bittorrent.engine.LiveView",
        "me.bittorrent.engine.LsdService$Tracked", "me.bittorrent.lsd.LsdCodec", "me.bittorrent.engine.LsdService$Due",
        "io.smallrye.mutiny.operators.uni.builders.UniCreateWithEmitter",
        "io.smallrye.mutiny.operators.uni.builders.DefaultUniEmitter",
        "io.smallrye.mutiny.operators.uni.builders.UniCreateFromDeferredSupplier",
        "io.vertx.core.http.impl.EndpointKey", "io.vertx.core.net.impl.pool.PoolConnector",
        "io.vertx.core.http.impl.SharedClientHttpStreamEndpoint", "io.vertx.core.http.impl.HttpChannelConnector",
        "io.vertx.core.net.impl.pool.PoolWaiter", "io.vertx.core.net.impl.pool.SimpleConnectionPool",
        "io.vertx.core.net.impl.pool.CombinerExecutor", "io.vertx.core.net.impl.pool.SimpleConnectionPool$Acquire",
        "io.vertx.core.net.ProxyOptions", "io.netty.bootstrap.Bootstrap", "io.vertx.core.net.impl.ChannelProvider",
        "io.netty.handler.proxy.HttpProxyHandler", "io.netty.handler.proxy.Socks5ProxyHandler",
        "io.netty.handler.proxy.Socks4ProxyHandler", "io.netty.resolver.NoopAddressResolverGroup"};

    void onStart(@Observes StartupEvent event, HttpTrackerClient http, UdpTrackerClient udp) {
        if (System.getProperty("org.graalvm.nativeimage.imagecode") != null) {
            return;
        }
        Thread thread = new Thread(() -> {
            long t0 = System.nanoTime();
            try {
                WarmUp.sessionClasses();
                int found = WarmUp.byName(EngineWarmUp.class.getClassLoader(), FIRST_START);
                WarmUp.sha1();
                ClientProxy.unwrap(http); // creates the bean, hence its Vert.x HTTP client
                ClientProxy.unwrap(udp);
                LOG.debugf("warmed the engine for a first start in %d ms (%d of %d classes by name)",
                        (System.nanoTime() - t0) / 1_000_000, found, FIRST_START.length);
            } catch (Exception | LinkageError e) {
                LOG.debugf("warming the engine failed (a first start does it itself): %s", e);
            }
        }, "engine-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }
}
