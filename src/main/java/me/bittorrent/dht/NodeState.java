package me.bittorrent.dht;

/** BEP 5 node health: good answered in the last 15 minutes, bad failed repeatedly, questionable otherwise. */
public enum NodeState { GOOD, QUESTIONABLE, BAD }
