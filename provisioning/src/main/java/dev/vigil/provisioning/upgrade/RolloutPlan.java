package dev.vigil.provisioning.upgrade;

import java.util.ArrayList;
import java.util.List;

/**
 * A rolling upgrade's batches, as Ansible's {@code serial} list makes them: each step a count
 * ({@code 1}) or a share of all hosts ({@code 10%}, rounded up, at least 1); the first batch is the
 * canary; the last step repeats until every host is in a batch. {@code 1,10%,25%} on 100 hosts: 1,
 * 10, 25, 25, 25, 14.
 */
public final class RolloutPlan {
    private RolloutPlan() {
    }

    /**
     * The batch sizes for {@code hosts} hosts.
     *
     * @throws IllegalArgumentException naming the step and what is allowed
     */
    public static List<Integer> sizes(String steps, int hosts) {
        List<Integer> parsed = new ArrayList<>();
        for (String step : steps.split(",")) {
            parsed.add(size(step.strip(), hosts));
        }
        List<Integer> sizes = new ArrayList<>();
        int left = hosts;
        for (int i = 0; left > 0; i++) {
            int size = Math.min(left, parsed.get(Math.min(i, parsed.size() - 1)));
            sizes.add(size);
            left -= size;
        }
        return sizes;
    }

    /** The hosts in batches, in the order given. */
    public static <T> List<List<T>> batches(List<T> hosts, String steps) {
        List<List<T>> batches = new ArrayList<>();
        int from = 0;
        for (int size : sizes(steps, hosts.size())) {
            batches.add(List.copyOf(hosts.subList(from, from + size)));
            from += size;
        }
        return batches;
    }

    /**
     * How many failures a batch may have and go on: {@code N} hosts, or {@code N%} of the batch
     * (rounded down). A batch halts the rollout when its failures exceed this, not when they reach it.
     */
    public static int allowedFailures(String maxFail, int batchSize) {
        String value = maxFail.strip();
        try {
            if (value.endsWith("%")) {
                int percent = Integer.parseInt(value.substring(0, value.length() - 1));
                if (percent >= 0 && percent <= 100) {
                    return batchSize * percent / 100;
                }
            } else if (Integer.parseInt(value) >= 0) {
                return Integer.parseInt(value);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("--max-fail \"" + maxFail + "\": allowed a count (0, 2) or a share of each batch (10%)");
    }

    private static int size(String step, int hosts) {
        try {
            if (step.endsWith("%")) {
                int percent = Integer.parseInt(step.substring(0, step.length() - 1));
                if (percent > 0 && percent <= 100) {
                    return Math.max(1, (int) Math.ceil(hosts * percent / 100.0));
                }
            } else if (Integer.parseInt(step) > 0) {
                return Integer.parseInt(step);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("--batches step \"" + step + "\": allowed a count (1, 5) or a share of all hosts "
                + "(10%, 25%), e.g. 1,10%,25%");
    }
}
