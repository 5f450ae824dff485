package dev.vigil.api.gpu;

/** Another GPU of the same node reachable over NVLink, and how many links connect them (NV18 = 18). */
public record NvlinkPeer(int gpu, int links) {
}
