package dev.vigil.agent.sampling;

/** A GPU and an XID it raised: the key of the windowed XID counts. */
public record GpuXid(int gpu, int xid) implements Comparable<GpuXid> {
    @Override
    public int compareTo(GpuXid other) {
        return gpu != other.gpu ? Integer.compare(gpu, other.gpu) : Integer.compare(xid, other.xid);
    }
}
