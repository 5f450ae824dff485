package dev.vigil.controller.runbooks;

import dev.vigil.runbooks.RunbookFile;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Properties;
import java.util.TimeZone;
import java.util.function.Consumer;

/**
 * The runbooks' cron schedules, fired by Quartz while this member leads: in memory (RAMJobStore),
 * registered again by each new leader. Firing only hands the runbook's name to {@code fire}, which
 * posts it to the leader's event loop. Misfire policy: a fire time missed while this scheduler ran
 * (a long pause) fires once at once; times missed while no member led are the runbooks' control's
 * to catch up ({@link dev.vigil.runbooks.ScheduleTrigger#missedSince}).
 */
final class Schedules implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Schedules.class);

    private final String member;
    private final Consumer<String> fire;
    private Scheduler quartz;

    Schedules(String member, Consumer<String> fire) {
        this.member = member;
        this.fire = fire;
    }

    /** Registers the schedules of {@code books} (replacing any registered before) and starts firing. */
    synchronized void start(List<RunbookFile> books) {
        close();
        try {
            Properties properties = new Properties();
            properties.setProperty("org.quartz.scheduler.instanceName", "vigil-runbooks-" + member);
            properties.setProperty("org.quartz.threadPool.threadCount", "1");
            properties.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
            properties.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
            Scheduler scheduler = new StdSchedulerFactory(properties).getScheduler();
            scheduler.setJobFactory((bundle, ignored) -> context -> fire.accept(bundle.getJobDetail().getKey().getName()));
            int registered = 0;
            for (RunbookFile book : books) {
                if (book.runbook().trigger() == null || book.runbook().trigger().schedule() == null) {
                    continue;
                }
                String cron = book.runbook().trigger().schedule().cron();
                scheduler.scheduleJob(JobBuilder.newJob(org.quartz.Job.class).withIdentity(book.runbook().name())
                                .build(),
                        TriggerBuilder.newTrigger().withIdentity(book.runbook().name())
                                .withSchedule(CronScheduleBuilder.cronSchedule(cron).inTimeZone(TimeZone.getTimeZone("UTC"))
                                        .withMisfireHandlingInstructionFireAndProceed()).build());
                registered++;
            }
            scheduler.start();
            quartz = scheduler;
            LOG.atInfo().addKeyValue("member", member).addKeyValue("schedules", registered).log("runbook_schedules_started");
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the runbooks' schedules: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (quartz == null) {
            return;
        }
        try {
            quartz.shutdown(false);
        } catch (SchedulerException e) {
            LOG.atWarn().addKeyValue("error", e.getMessage()).log("runbook_schedules_stop_failed");
        }
        quartz = null;
    }
}
