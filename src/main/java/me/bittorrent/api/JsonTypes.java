package me.bittorrent.api;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Types Jackson reads or writes by reflection that Quarkus does not discover from the resource signatures
 * (nested in maps and records, or used by the state repository's own ObjectMapper): registered so the native
 * executable serializes them too.
 */
@RegisterForReflection(targets = {
        me.bittorrent.state.StoredTorrent.class,
        me.bittorrent.state.TorrentSettings.class,
        me.bittorrent.state.StoredFingerprint.class,
        me.bittorrent.state.Preferences.class,
        me.bittorrent.state.TorrentLifecycle.class,
        me.bittorrent.state.TorrentLibrary.class,
        me.bittorrent.state.ShareLimitAction.class,
        me.bittorrent.state.ContentLayout.class,
        me.bittorrent.state.FilePriority.class,
        LibraryResource.Category.class,
        LibraryResource.LibraryResponse.class,
        me.bittorrent.state.StoredCredentials.class,
        me.bittorrent.state.StoredCredentials.Password.class,
        me.bittorrent.state.StoredCredentials.ApiKey.class,
        me.bittorrent.api.auth.ApiKeyView.class,
        me.bittorrent.api.auth.AccountResource.Account.class,
        me.bittorrent.api.auth.AccountResource.PasswordChange.class,
        me.bittorrent.api.auth.AccountResource.NewApiKey.class,
        me.bittorrent.engine.TorrentStatus.class,
        me.bittorrent.engine.FileStatus.class,
        me.bittorrent.engine.SettingsUpdate.class,
        me.bittorrent.engine.GlobalSettings.class,
        me.bittorrent.engine.GlobalSettingsUpdate.class,
        me.bittorrent.engine.TorrentChanges.TorrentChange.class, // GET /events data: the resource returns Multi<OutboundSseEvent>
        me.bittorrent.tracker.TrackerStatus.class,
        ApiError.class,
        UploadResponse.class,
        UploadResponse.UploadedFile.class,
        SystemFigures.Memory.class,
        SystemFigures.Cpu.class,
        ServiceResource.Health.class,
        ServiceResource.Metrics.class,
        ServiceResource.Downloads.class,
        ServiceResource.Totals.class,
        ServiceResource.SystemInfo.class,
        me.bittorrent.engine.DhtService.Status.class,
        me.bittorrent.engine.LsdService.Status.class,
        me.bittorrent.engine.session.PeerSnapshot.class, // GET /peers: a list
        me.bittorrent.engine.PieceMap.class,
})
final class JsonTypes {
    private JsonTypes() {
    }
}
