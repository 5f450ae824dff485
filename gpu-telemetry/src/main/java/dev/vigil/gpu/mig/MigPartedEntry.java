package dev.vigil.gpu.mig;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.vigil.api.binding.InvalidValueException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One entry of a mig-parted config: which GPUs ({@code devices}, narrowed by the optional
 * {@code device-filter}) get which MIG mode and devices.
 *
 * <p>Stricter than mig-parted where its leniency hides mistakes: an empty {@code device-filter}
 * (which mig-parted reads as "every GPU") and a malformed device id (which it reads as "no GPU")
 * are refused, as are negative counts and indices.
 */
record MigPartedEntry(@JsonProperty("devices") Object devices,
                      @JsonProperty("device-filter") Object deviceFilter,
                      @JsonProperty("mig-enabled") Boolean migEnabled,
                      @JsonProperty("mig-devices") Map<String, Integer> migDevices) {
    private static final String DEVICES = "all, or a list of GPU indices such as [0, 1]";
    private static final String FILTER = "a PCI device id such as 0x233010DE, or a list of them "
            + "(leave device-filter out to select every model)";

    // Absent values are left to requireComplete(), see MigPartedDocument.
    MigPartedEntry {
        if (devices instanceof List<?> list) {
            for (Object index : list) {
                InvalidValueException.require(index instanceof Integer i && i >= 0, "devices", list, DEVICES);
            }
            devices = List.copyOf(list);
        } else if (devices != null) {
            InvalidValueException.require("all".equals(devices), "devices", devices, DEVICES);
        }
        if (deviceFilter != null) {
            List<?> filters = deviceFilter instanceof List<?> list ? list : List.of(deviceFilter);
            InvalidValueException.require(!filters.isEmpty(), "device-filter", deviceFilter, FILTER);
            for (Object filter : filters) {
                InvalidValueException.require(filter instanceof String text && text.trim().matches("0[xX][0-9a-fA-F]{8}"),
                        "device-filter", filter, FILTER);
            }
            deviceFilter = List.copyOf(filters);
        }
        if (Boolean.FALSE.equals(migEnabled)) {
            InvalidValueException.require(migDevices == null || migDevices.isEmpty(), "mig-devices", migDevices,
                    "no MIG devices when mig-enabled is false");
        }
        if (migDevices != null) {
            Map<String, Integer> copy = new LinkedHashMap<>();
            migDevices.forEach((profile, count) -> {
                InvalidValueException.require(MigDeviceKey.parse(profile).isPresent(), "mig-devices", profile,
                        MigDeviceKey.ALLOWED);
                InvalidValueException.require(count != null && count >= 0, "mig-devices." + profile, count,
                        "a count of 0 or more");
                copy.put(profile, count);
            });
            migDevices = Collections.unmodifiableMap(copy);
        }
    }

    /** Throws for the first required key that is absent; {@code path} is the entry's, ending in a dot. */
    void requireComplete(String path) {
        InvalidValueException.required(devices, path + "devices", DEVICES);
        InvalidValueException.required(migEnabled, path + "mig-enabled", "true or false");
        if (migEnabled) {
            InvalidValueException.required(migDevices, path + "mig-devices",
                    "a mapping of profile to count ({} for none) when mig-enabled is true");
        }
    }

    /** The requested devices, empty when MIG is off. */
    Map<String, Integer> requestedDevices() {
        return migDevices == null ? Map.of() : migDevices;
    }

    /** Whether the entry applies to {@code gpu}: its index is listed (or all are) and its device id passes the filter. */
    boolean selects(NodeGpu gpu) {
        boolean listed = "all".equals(devices) || deviceIndices().contains(gpu.index());
        if (!listed || deviceFilter == null) {
            return listed;
        }
        OptionalLong id = MigGpuModel.deviceId(gpu.pciDeviceId());
        return id.isPresent() && filterIds().contains(id.getAsLong());
    }

    /** The GPU indices listed, empty for {@code all}. */
    List<Integer> deviceIndices() {
        List<Integer> indices = new ArrayList<>();
        if (devices instanceof List<?> list) {
            list.forEach(index -> indices.add((Integer) index));
        }
        return indices;
    }

    private List<Long> filterIds() {
        List<Long> ids = new ArrayList<>();
        ((List<?>) deviceFilter).forEach(filter -> ids.add(MigGpuModel.deviceId((String) filter).orElseThrow()));
        return ids;
    }
}
