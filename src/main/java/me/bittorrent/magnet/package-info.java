/**
 * BEP 9 magnet links: {@link me.bittorrent.magnet.MagnetParser#parse} turns a {@code magnet:?} URI into a
 * {@link me.bittorrent.magnet.MagnetLink} (info-hash from 40 hex or 32 base32 characters, {@code dn}, {@code tr},
 * {@code x.pe}, BEP 53 {@code so}) or refuses it with an {@link me.bittorrent.magnet.InvalidMagnetException} whose
 * message can go to the user as is. Fetching the info dictionary (BEP 9 ut_metadata) is not here yet.
 */
package me.bittorrent.magnet;
