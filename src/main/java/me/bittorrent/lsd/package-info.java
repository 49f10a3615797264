/**
 * Local Service Discovery (BEP 14): the {@code BT-SEARCH} datagrams BitTorrent clients multicast on a LAN
 * (239.192.152.143:6771) to say "I have these torrents on this TCP port". {@link me.bittorrent.lsd.LsdCodec}
 * renders our announces as libtorrent does (one or more {@code Infohash} headers, our {@code cookie}) and parses
 * received ones strictly and boundedly into an {@link me.bittorrent.lsd.LsdAnnounce}. No sockets here (the engine's
 * {@code LsdService} owns them); this package never imports engine or api.
 */
package me.bittorrent.lsd;
