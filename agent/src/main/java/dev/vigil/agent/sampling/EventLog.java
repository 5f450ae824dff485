package dev.vigil.agent.sampling;

import dev.vigil.api.gpu.GpuEvent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's recent events with increasing sequence numbers, bounded so a flood of XIDs cannot
 * grow memory. Readers page with {@code since}: the highest sequence number they have seen.
 */
public final class EventLog {
    private final int capacity;
    private final ArrayDeque<GpuEvent> events;
    private long lastSeq;

    public EventLog(int capacity) {
        this.capacity = capacity;
        this.events = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** Numbers and keeps {@code added}; returns them with their sequence numbers. */
    public synchronized List<GpuEvent> append(List<GpuEvent> added) {
        List<GpuEvent> numbered = new ArrayList<>(added.size());
        for (GpuEvent event : added) {
            GpuEvent withSeq = event.withSeq(++lastSeq);
            numbered.add(withSeq);
            if (events.size() == capacity) {
                events.pollFirst();
            }
            events.addLast(withSeq);
        }
        return numbered;
    }

    /** Events with a sequence number above {@code since}, oldest first, at most {@code limit}. */
    public synchronized List<GpuEvent> since(long since, int limit) {
        List<GpuEvent> result = new ArrayList<>();
        for (GpuEvent event : events) {
            if (event.seq() > since) {
                result.add(event);
                if (result.size() == limit) {
                    break;
                }
            }
        }
        return result;
    }

    public synchronized long lastSeq() {
        return lastSeq;
    }
}
