package dev.vigil.gpu.dcgm;

import com.sun.jna.Memory;
import dev.vigil.api.gpu.HealthReason;
import dev.vigil.api.gpu.HealthState;
import dev.vigil.api.gpu.RepairAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.vigil.gpu.dcgm.DcgmStructs.HEALTH_INCIDENTS;
import static dev.vigil.gpu.dcgm.DcgmStructs.HEALTH_INCIDENT_COUNT;
import static dev.vigil.gpu.dcgm.DcgmStructs.INCIDENT_CODE;
import static dev.vigil.gpu.dcgm.DcgmStructs.INCIDENT_ENTITY;
import static dev.vigil.gpu.dcgm.DcgmStructs.INCIDENT_HEALTH;
import static dev.vigil.gpu.dcgm.DcgmStructs.INCIDENT_MESSAGE;
import static dev.vigil.gpu.dcgm.DcgmStructs.INCIDENT_SIZE;
import static dev.vigil.gpu.dcgm.DcgmStructs.INCIDENT_SYSTEM;

/**
 * DCGM's background health watches as Vigil health reasons, per GPU index.
 *
 * <p>What a check returns: {@code dcgmHealthCheck} asks the host engine with no time window
 * (start and end 0), and DCGM's health module then judges each watched system on the samples of
 * the last minute (latest ECC, retired-page, row-remap and InfoROM values; growth of the PCIe
 * replay, NVLink error and violation counters) plus the XIDs it has seen. So every response is
 * the whole current state, not what changed since the previous call: an incident is reported on
 * every check for as long as DCGM considers the GPU unhealthy. The reasons here are therefore
 * exactly the latest response's; {@code since} is when Vigil first saw the incident and stays
 * put while it keeps coming back. (Source: NVIDIA/DCGM modules/health, DcgmHealthWatch's
 * Monitor* functions, and the client helper that sends startTime = endTime = 0.)
 *
 * <p>Checked at most every {@link #PERIOD}, and the result held in between: DCGM refreshes the
 * fields behind most health watches at most every 30 s (the InfoROM hourly) and judges a
 * one-minute window, so checking once a second would copy a 1 MB response (over the socket,
 * for a remote engine) to learn nothing new.
 *
 * <p>Repair actions, from the "next steps" DCGM attaches to these incidents (dcgm_errors.h):
 * <ul>
 *   <li>memory: volatile DBEs, uncontained errors and retired-page limits say "drain the GPU and
 *       reset it"; pending retirements need a reset to take effect: {@link RepairAction#RESET_GPU}</li>
 *   <li>NVLink: {@link RepairAction#CHECK_NVLINK}</li>
 *   <li>PCIe: DCGM raises only warnings (replay rate above the link's expected rate), which
 *       links retry through: none; a failure would be {@link RepairAction#REBOOT_NODE}</li>
 *   <li>InfoROM: "flash the InfoROM", a vendor procedure: {@link RepairAction#RMA}</li>
 *   <li>thermal and power (clocks held down by violations): none, the GPU still works</li>
 *   <li>driver (the driver's recovery action): {@link RepairAction#RESET_GPU}; the agent's own
 *       reading of DCGM_FI_DEV_GPU_RECOVERY_ACTION says precisely which</li>
 * </ul>
 */
final class HealthWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DcgmBackend.class);

    static final int PCIE = 0x1;
    static final int NVLINK = 0x2;
    static final int PMU = 0x4;
    static final int MCU = 0x8;
    static final int MEM = 0x10;
    static final int SM = 0x20;
    static final int INFOROM = 0x40;
    static final int THERMAL = 0x80;
    static final int POWER = 0x100;
    static final int DRIVER = 0x200;
    static final int NVSWITCH_NONFATAL = 0x400;
    static final int NVSWITCH_FATAL = 0x800;
    static final int CONNECTX = 0x1000;
    /** What Vigil watches: the GPU's own systems. NVSwitch and ConnectX entities are not in the group. */
    static final int SYSTEMS = PCIE | NVLINK | MEM | INFOROM | THERMAL | POWER | DRIVER;

    static final int RESULT_WARN = 10;
    static final int RESULT_FAIL = 20;

    static final Duration PERIOD = Duration.ofSeconds(5);

    private final Memory response;
    private final Map<String, Instant> firstSeen = new HashMap<>();
    private Map<Integer, List<HealthReason>> current = Map.of();
    private Instant lastCheck;
    private String lastError;

    HealthWatch(NativeMemory memory) {
        this.response = memory.allocate(DcgmStructs.HEALTH_RESPONSE_SIZE);
    }

    /** The reasons of the latest check, by GPU index. */
    Map<Integer, List<HealthReason>> current() {
        return current;
    }

    /** Check at the next opportunity (a new session has new watches). */
    void checkSoon() {
        lastCheck = null;
    }

    /** Runs {@code dcgmHealthCheck} when the period has passed; keeps the previous result when DCGM cannot answer. */
    void maybeCheck(Session session, Instant now) throws DcgmCallException {
        if (session.healthSystems() == 0 || lastCheck != null && now.isBefore(lastCheck.plus(PERIOD))) {
            return;
        }
        lastCheck = now;
        response.setInt(0, DcgmStructs.HEALTH_RESPONSE_VERSION);
        int rc = session.lib().dcgmHealthCheck(session.handle(), session.group(), response);
        if (rc == DcgmCodes.CONNECTION_NOT_VALID) {
            session.check("dcgmHealthCheck", rc);
        }
        if (rc != DcgmCodes.OK) {
            String error = new DcgmCallException("dcgmHealthCheck", rc, Session.text(session.lib(), rc)).getMessage();
            if (!error.equals(lastError)) {
                LOG.atWarn().addKeyValue("error", error).log("dcgm_health_check_failed");
                lastError = error;
            }
            return;
        }
        lastError = null;
        current = read(session.entities(), now);
    }

    private Map<Integer, List<HealthReason>> read(EntityTable entities, Instant now) {
        int count = Math.max(0, Math.min(response.getInt(HEALTH_INCIDENT_COUNT), DcgmStructs.MAX_INCIDENTS));
        Map<String, HealthReason> byKey = new LinkedHashMap<>();
        Map<String, Integer> gpuOfKey = new HashMap<>();
        for (int i = 0; i < count; i++) {
            long base = HEALTH_INCIDENTS + (long) i * INCIDENT_SIZE;
            int result = response.getInt(base + INCIDENT_HEALTH);
            EntityTable.Attribution at = entities.attribution(response.getInt(base + INCIDENT_ENTITY),
                    response.getInt(base + INCIDENT_ENTITY + 4));
            if (at == null || result != RESULT_WARN && result != RESULT_FAIL) {
                continue;
            }
            int system = response.getInt(base + INCIDENT_SYSTEM);
            int code = response.getInt(base + INCIDENT_CODE);
            String key = at.gpu() + "/" + system + "/" + code;
            HealthState state = result == RESULT_FAIL ? HealthState.FAILED : HealthState.DEGRADED;
            HealthReason known = byKey.get(key);
            if (known != null && known.state().ordinal() >= state.ordinal()) {
                continue; // the same incident on the GPU and on one of its instances
            }
            String message = Session.cString(response, base + INCIDENT_MESSAGE, DcgmStructs.ERROR_MESSAGE_LENGTH)
                    + " (DCGM health error " + code + ")";
            Instant since = firstSeen.computeIfAbsent(key, k -> now);
            byKey.put(key, new HealthReason("dcgm-" + systemName(system), state, message, action(system, state), null,
                    since));
            gpuOfKey.put(key, at.gpu());
        }
        firstSeen.keySet().retainAll(byKey.keySet()); // gone from DCGM's answer: healthy again
        Map<Integer, List<HealthReason>> byGpu = new HashMap<>();
        byKey.forEach((key, reason) -> byGpu.computeIfAbsent(gpuOfKey.get(key), g -> new ArrayList<>()).add(reason));
        byGpu.replaceAll((gpu, reasons) -> List.copyOf(reasons));
        return Map.copyOf(byGpu);
    }

    /** The names of the systems in a mask, for logs. */
    static List<String> systemNames(int systems) {
        List<String> names = new ArrayList<>();
        for (int bit = 0; bit < 31; bit++) {
            if ((systems & 1 << bit) != 0) {
                names.add(systemName(1 << bit));
            }
        }
        return names;
    }

    static String systemName(int system) {
        return switch (system) {
            case PCIE -> "pcie";
            case NVLINK -> "nvlink";
            case PMU -> "pmu";
            case MCU -> "mcu";
            case MEM -> "memory";
            case SM -> "sm";
            case INFOROM -> "inforom";
            case THERMAL -> "thermal";
            case POWER -> "power";
            case DRIVER -> "driver";
            case NVSWITCH_NONFATAL, NVSWITCH_FATAL -> "nvswitch";
            case CONNECTX -> "connectx";
            default -> "system-" + Integer.toHexString(system);
        };
    }

    static RepairAction action(int system, HealthState state) {
        return switch (system) {
            case MEM, DRIVER -> RepairAction.RESET_GPU;
            case NVLINK -> RepairAction.CHECK_NVLINK;
            case PCIE -> state == HealthState.FAILED ? RepairAction.REBOOT_NODE : RepairAction.NONE;
            case INFOROM -> RepairAction.RMA;
            default -> RepairAction.NONE;
        };
    }

    @Override
    public void close() {
        NativeMemory.free(response);
    }
}
