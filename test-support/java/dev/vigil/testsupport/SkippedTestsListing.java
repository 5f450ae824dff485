package dev.vigil.testsupport;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Lists every test that did not run, and why, on the console at the end of a test run: Surefire
 * and Failsafe only count them ("Skipped: 3") and keep the reasons in their XML reports, so a
 * build on a machine without Slurm or Alertmanager would pass without saying what it left out.
 * Disabled tests, failed assumptions and whole classes aborted in {@code @BeforeAll} (which
 * Surefire does not count at all) are listed. Every module's tests load it: the root pom adds
 * this folder to each module's test sources.
 */
public final class SkippedTestsListing implements TestExecutionListener {
    private final PrintStream out;
    private final List<String> notRun = new ArrayList<>();
    private TestPlan plan;

    public SkippedTestsListing() {
        this(System.out);
    }

    SkippedTestsListing(PrintStream out) {
        this.out = out;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
        notRun.clear();
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        notRun.add(name(test) + ": disabled: " + reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            String reason = result.getThrowable().map(Throwable::getMessage)
                    .map(message -> message.replaceFirst("^Assumption failed: ", "")).orElse("no reason given");
            notRun.add(name(test) + ": " + reason);
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (notRun.isEmpty()) {
            return;
        }
        StringBuilder listing = new StringBuilder().append("[WARNING] Not run here (").append(notRun.size())
                .append("), and why:\n");
        notRun.forEach(line -> listing.append("[WARNING]   ").append(line).append('\n'));
        out.print(listing);
        out.flush();
    }

    /** {@code Class.method}, a class's name with how many of its tests it held back, or the display name. */
    private String name(TestIdentifier test) {
        Optional<TestSource> source = test.getSource();
        if (source.isPresent() && source.get() instanceof MethodSource method) {
            String name = simple(method.getClassName()) + "." + method.getMethodName();
            boolean invocation = plan != null && plan.getParent(test).flatMap(TestIdentifier::getSource)
                    .filter(MethodSource.class::isInstance).isPresent();
            return invocation ? name + " " + test.getDisplayName() : name;
        }
        if (source.isPresent() && source.get() instanceof ClassSource type) {
            long tests = plan == null ? 0 : plan.getDescendants(test).stream().filter(TestIdentifier::isTest).count();
            return simple(type.getClassName()) + " (the whole class, " + tests + (tests == 1 ? " test)" : " tests)");
        }
        return test.getDisplayName();
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
