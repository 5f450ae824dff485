package dev.vigil.gpu.mig;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A key of mig-parted's {@code mig-devices}: a GPU-instance profile name ({@code 3g.40gb},
 * {@code 1g.10gb+me}), optionally prefixed with a compute-instance size ({@code 1c.3g.40gb}).
 * The shape is checked when the file is read; whether the GPU has the profile is only known per GPU.
 *
 * @param computeSlices      the {@code Nc.} size, or null for one compute instance spanning the GPU instance
 * @param gpuInstanceProfile the profile name without the {@code Nc.} prefix
 */
record MigDeviceKey(Integer computeSlices, String gpuInstanceProfile) {
    static final String ALLOWED = "a MIG profile such as 1g.10gb, 1g.10gb+me or 1c.3g.40gb";
    // mig-parted's shape: [<C>c.]<G>g.<GB>gb[<attributes>]; attributes other than +me exist on
    // other GPUs (+gfx, -me, +me.all) and surface later as unknown profiles, not as syntax errors.
    private static final Pattern SHAPE =
            Pattern.compile("(?:([1-9][0-9]?)c\\.)?([1-9][0-9]?g\\.[0-9]+gb(?:[+-][a-z][a-z0-9.]*)?)");

    static Optional<MigDeviceKey> parse(String key) {
        Matcher matcher = SHAPE.matcher(key == null ? "" : key);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        Integer compute = matcher.group(1) == null ? null : Integer.valueOf(matcher.group(1));
        return Optional.of(new MigDeviceKey(compute, matcher.group(2)));
    }
}
