package dev.vigil.sim.trace;

import dev.vigil.api.binding.InvalidValueException;

import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trace read from a file (or generated): its jobs in arrival order, and the rows it left out.
 *
 * @param source  the file, or a description of the generator
 * @param format  the shape it was read as
 * @param rows    data rows read
 * @param jobs    the jobs, by submit time (rows of equal time in file order)
 * @param skipped rows that are not jobs for a GPU scheduler, by reason, with how many, in the order first met
 */
public record Trace(String source, TraceFormat format, int rows, List<TraceJob> jobs, Map<String, Integer> skipped) {
    public Trace {
        jobs = jobs.stream().sorted(Comparator.comparingLong(TraceJob::submitMillis)).toList();
        skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
    }

    /**
     * The same jobs arriving {@code factor} times faster (submit times divided by it), each running as
     * long as before: the load rises {@code factor}-fold.
     */
    public Trace arrivingFaster(double factor) {
        InvalidValueException.require(factor >= 1 && factor <= 1e6, "arrivalSpeedup", factor, "1 to 1000000");
        List<TraceJob> faster = jobs.stream().map(j -> new TraceJob(j.id(), Math.round(j.submitMillis() / factor),
                j.spec(), j.line())).toList();
        return new Trace(source, format, rows, faster, skipped);
    }
}
