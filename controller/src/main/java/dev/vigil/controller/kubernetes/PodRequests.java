package dev.vigil.controller.kubernetes;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.jobs.JobKind;
import dev.vigil.api.jobs.JobSpec;
import dev.vigil.api.jobs.Placement;
import dev.vigil.k8s.Manifests;
import dev.vigil.k8s.PodRequest;

import java.util.ArrayList;
import java.util.List;

/** How a placed Vigil job becomes pods: one per placement, a gang's named by index, a replica's by its number. */
final class PodRequests {
    private PodRequests() {
    }

    /**
     * Refuses what cannot be a pod, before the job is queued: no image, or a pod template that is
     * not one or is for another namespace than the one Vigil's pods live in.
     */
    static void check(JobSpec spec, String namespace) {
        InvalidValueException.require(spec.image() != null && !spec.image().isBlank(), "image", spec.image(),
                "a container image, e.g. nvcr.io/nvidia/pytorch:24.08-py3 (the kubernetes backend runs containers)");
        if (spec.podTemplate() != null) {
            String wanted = Manifests.namespace(spec.podTemplate());
            InvalidValueException.require(wanted == null || wanted.equals(namespace), "metadata.namespace", wanted,
                    namespace + ", the namespace Vigil's pods live in (kubernetes.namespace), or leave it out");
        }
    }

    /**
     * The pods of one launch: a gang's placements ({@code <job>-a<attempt>-<index>}: a requeued gang starts
     * with a new attempt), or one replica's ({@code <job>-r<replica>-<suffix>}).
     *
     * @param suffix what makes a replica's pod name new (its replaced pod may still be terminating)
     */
    static List<PodRequest> of(String namespace, String job, JobSpec spec, int attempt, List<Placement> placements,
                               String suffix) {
        boolean gang = spec.kind() == JobKind.TRAINING;
        List<PodRequest> pods = new ArrayList<>();
        for (int i = 0; i < placements.size(); i++) {
            Placement placement = placements.get(i);
            String name = gang ? job + "-a" + attempt + "-" + i
                    : job + "-r" + placement.replica() + "-" + suffix;
            boolean slice = spec.migProfile() != null;
            pods.add(new PodRequest(namespace, name, job, attempt, gang ? job : null, gang ? placements.size() : 1,
                    placement.replica(), spec.tenant(), spec.priorityClass(), spec.image(), spec.command(), spec.env(),
                    slice ? 0 : placement.gpus().size(), slice ? spec.migProfile() : null, !gang, gang ? i : null,
                    spec.podTemplate()));
        }
        return pods;
    }
}
