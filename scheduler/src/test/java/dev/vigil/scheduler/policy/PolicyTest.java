package dev.vigil.scheduler.policy;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PolicyTest {
    private static final String H100 = "NVIDIA H100 80GB HBM3";
    private static final String A100 = "NVIDIA A100-SXM4-80GB";

    private static Tenant tenant(String name, String cohort, int h100, Integer borrow) {
        return new Tenant(name, null, cohort, Map.of("H100", h100), borrow == null ? null : Map.of("H100", borrow));
    }

    @Test
    void aTenantRunsUpToItsNominalQuotaAndSaysWhyNotBeyondIt() {
        Tenant research = tenant("research", null, 16, null);
        Quotas quotas = new Quotas(new SchedulerPolicy(null, null, null, null, null, null, List.of(research)));
        quotas.charge(research, H100, 12_000);

        assertThat(quotas.check(research, H100, 4_000)).isNull();
        assertThat(quotas.check(research, H100, 8_000))
                .isEqualTo("tenant research holds 12 of its 16 H100 GPUs and the job needs 8 (no cohort to borrow from)");
        assertThat(quotas.check(research, A100, 1_000)).contains("no quota for " + A100);
    }

    @Test
    void othersBorrowOnlyWhileAnotherMemberHoldsMoreThanItsNominalQuota() {
        Tenant research = tenant("research", "lab", 16, null);
        Tenant prod = tenant("prod", "lab", 8, null);
        Quotas quotas = new Quotas(new SchedulerPolicy(null, null, null, null, null, null, List.of(research, prod)));
        quotas.charge(prod, H100, 8_000);
        assertThat(quotas.othersBorrow(research)).as("prod within its own 8").isFalse();
        quotas.charge(prod, H100, 1_000);
        assertThat(quotas.othersBorrow(research)).isTrue();
        assertThat(quotas.othersBorrow(prod)).as("its own borrowing is not another's").isFalse();
    }

    @Test
    void borrowingTakesTheCohortsUnusedQuotaUpToTheBorrowingLimit() {
        Tenant research = tenant("research", "lab", 16, 8);
        Tenant prod = tenant("prod", "lab", 32, null);
        Quotas quotas = new Quotas(new SchedulerPolicy(null, null, null, null, null, null, List.of(research, prod)));
        quotas.charge(research, H100, 16_000);

        assertThat(quotas.check(research, H100, 8_000)).isNull();
        assertThat(quotas.check(research, H100, 9_000)).contains("may borrow at most 8 from cohort lab");
        // prod uses 28 of its 32: only 4 are left to lend.
        quotas.charge(prod, H100, 28_000);
        assertThat(quotas.check(research, H100, 8_000)).contains("cohort lab has 4 of its 48 unused");
        assertThat(quotas.check(research, H100, 4_000)).isNull();
        // Giving back frees it again.
        quotas.charge(prod, H100, -28_000);
        assertThat(quotas.check(research, H100, 8_000)).isNull();
    }

    @Test
    void theFirstQuotaKeyContainedInTheModelNameCoversItAndStarCoversTheRest() {
        Map<String, Integer> quota = new LinkedHashMap<>();
        quota.put("H100", 8);
        quota.put("*", 2);
        Tenant tenant = new Tenant("t", null, null, quota, null);
        assertThat(tenant.quotaKey(H100)).isEqualTo("H100");
        assertThat(tenant.quotaKey("NVIDIA h100 NVL")).isEqualTo("H100");
        assertThat(tenant.quotaKey(A100)).isEqualTo("*");
    }

    @Test
    void fairShareFavoursTheTenantThatUsedLessThanItsShareAndForgetsWithTheHalfLife() {
        FairShare fairShare = new FairShare(Duration.ofHours(1));
        Instant t0 = Instant.parse("2026-11-22T00:00:00Z");
        fairShare.accrue(t0, Map.of());
        fairShare.accrue(t0.plus(Duration.ofHours(1)), Map.of("a", 8_000L));

        assertThat(fairShare.gpuHours("a")).isCloseTo(8.0, within(1e-9));
        Map<String, Double> factors = fairShare.factors(Map.of("a", 1.0, "b", 1.0));
        // a used everything with half the shares: 2^(-1/0.5) = 0.25; b used nothing: 1.
        assertThat(factors.get("a")).isCloseTo(0.25, within(1e-9));
        assertThat(factors.get("b")).isCloseTo(1.0, within(1e-9));

        fairShare.accrue(t0.plus(Duration.ofHours(3)), Map.of());
        assertThat(fairShare.gpuHours("a")).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void policyDefaultsAreSafeAndUnknownNamesAreRefusedWithTheAllowedOnes() {
        SchedulerPolicy defaults = SchedulerPolicy.defaults();
        assertThat(defaults.priorityClass(null).name()).isEqualTo("normal");
        assertThat(defaults.tenant("anyone").limited()).isFalse();
        assertThatThrownBy(() -> defaults.priorityClass("urgent")).isInstanceOf(InvalidValueException.class)
                .hasMessage("priorityClass: \"urgent\" is not allowed (allowed: one of low, normal, high)");

        SchedulerPolicy withTenants = new SchedulerPolicy(null, null, null, null, null, null,
                List.of(tenant("research", null, 8, null)));
        assertThatThrownBy(() -> withTenants.tenant("intern")).isInstanceOf(InvalidValueException.class)
                .hasMessage("tenant: \"intern\" is not allowed (allowed: one of research)");
    }

    @Test
    void policyErrorsNameTheField() {
        assertThatThrownBy(() -> new SchedulerPolicy(null, null, null, null, "urgent", null, null))
                .hasMessageContaining("defaultPriorityClass: \"urgent\"");
        assertThatThrownBy(() -> new SchedulerPolicy(null, null, null, Duration.ZERO, null, null, null))
                .hasMessageContaining("fairShareHalfLife");
        assertThatThrownBy(() -> new SchedulerPolicy(null, null, null, null, null, null,
                List.of(tenant("a", null, 1, null), tenant("a", null, 2, null))))
                .hasMessageContaining("tenants[1].name: \"a\"");
        assertThatThrownBy(() -> new Tenant("t", null, null, Map.of("H100", 8), Map.of("A100", 2)))
                .hasMessageContaining("borrowingLimit.A100");
        assertThatThrownBy(() -> new Tenant("t", null, null, Map.of("H100", 8), Map.of("H100", 2)))
                .hasMessageContaining("without a cohort");
        assertThatThrownBy(() -> new Tenant("t", null, null, Map.of("H100", -1), null))
                .hasMessageContaining("quota.H100: \"-1\"");
    }

    @Test
    void everyPolicyBoundIsCheckedAtItsEdge() {
        assertThat(new SchedulerPolicy(1, null, null, null, null, null, null).maxJobsPerCycle()).isEqualTo(1);
        assertThat(new SchedulerPolicy(1_000_000, null, null, null, null, null, null).maxJobsPerCycle())
                .isEqualTo(1_000_000);
        for (int bad : new int[]{0, 1_000_001}) {
            assertThatThrownBy(() -> new SchedulerPolicy(bad, null, null, null, null, null, null))
                    .hasMessageContaining("maxJobsPerCycle: \"" + bad + "\"").hasMessageContaining("1 to 1000000");
        }
        assertThatThrownBy(() -> new SchedulerPolicy(null, null, null, Duration.ofDays(-1), null, null, null))
                .hasMessageContaining("fairShareHalfLife");
        SchedulerPolicy off = new SchedulerPolicy(null, false, false, null, null, null, null);
        assertThat(off.backfill()).isFalse();
        assertThat(off.preemption()).isFalse();
        assertThat(SchedulerPolicy.defaults().backfill()).isTrue();
        assertThat(SchedulerPolicy.defaults().preemption()).isTrue();
        assertThat(SchedulerPolicy.defaults().localityWait()).isEqualTo(Duration.ofMinutes(30));
        assertThat(new SchedulerPolicy(null, null, null, null, null, null, null, Duration.ZERO).localityWait()).isZero();
        assertThatThrownBy(() -> new SchedulerPolicy(null, null, null, null, null, null, null, Duration.ofSeconds(-1)))
                .hasMessageContaining("localityWait: \"-1s\"").hasMessageContaining("0s or more");
        assertThatThrownBy(() -> new SchedulerPolicy(null, null, null, null, null, List.of(
                new PriorityClass("low", 1, null), new PriorityClass("low", 2, null)), null))
                .hasMessageContaining("priorityClasses[1].name: \"low\"");

        assertThatThrownBy(() -> new PriorityClass("Urgent", 1, null)).hasMessageContaining("name: \"Urgent\"");
        assertThatThrownBy(() -> new PriorityClass("urgent", null, null)).hasMessageContaining("value");
        assertThat(new PriorityClass("urgent", 1, null).description()).isEmpty();

        assertThatThrownBy(() -> new Tenant("has space", null, null, null, null))
                .hasMessageContaining("name: \"has space\"");
        assertThatThrownBy(() -> new Tenant("t", 0.0, null, null, null)).hasMessageContaining("shares");
        assertThat(new Tenant("t", 0.01, null, null, null).shares()).isEqualTo(0.01);
        assertThat(new Tenant("t", null, null, Map.of("H100", 0), null).quota()).containsEntry("H100", 0);
    }
}
