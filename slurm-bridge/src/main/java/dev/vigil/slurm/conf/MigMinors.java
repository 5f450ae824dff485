package dev.vigil.slurm.conf;

/**
 * The minor numbers of the NVIDIA driver's MIG capability devices ({@code /dev/nvidia-caps/nvidia-capN}),
 * which a process needs, beside {@code /dev/nvidiaG}, to run on a MIG instance.
 *
 * <p>The driver fixes every minor in advance and lists them in {@code /proc/driver/nvidia-caps/mig-minors}:
 * {@code config} is 1, {@code monitor} 2, then for each GPU (by its device minor, the N of
 * {@code /dev/nvidiaN}) and each of its 15 possible GPU instances, the GPU instance's {@code access}
 * followed by the {@code access} of its 8 possible compute instances. So a GPU takes 135 minors and a
 * GPU instance 9. The MIG user guide ("Device Nodes and Capabilities") shows the table running to
 * {@code gpu31/gi14/ci7/access 4322}, and a GPU instance 1 with compute instances 0-2 as caps 12 to 15,
 * both of which this numbering gives.
 */
final class MigMinors {
    private static final int FIRST = 3;
    private static final int PER_GPU_INSTANCE = 1 + 8;
    private static final int PER_GPU = 15 * PER_GPU_INSTANCE;

    private MigMinors() {
    }

    /** {@code gpu<gpu>/gi<gpuInstance>/access}. */
    static int gpuInstance(int gpu, int gpuInstance) {
        return FIRST + gpu * PER_GPU + gpuInstance * PER_GPU_INSTANCE;
    }

    /** {@code gpu<gpu>/gi<gpuInstance>/ci<computeInstance>/access}. */
    static int computeInstance(int gpu, int gpuInstance, int computeInstance) {
        return gpuInstance(gpu, gpuInstance) + 1 + computeInstance;
    }
}
