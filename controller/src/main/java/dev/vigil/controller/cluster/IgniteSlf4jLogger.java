package dev.vigil.controller.cluster;

import org.apache.ignite.IgniteLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ignite's log through SLF4J. It says it is never "quiet": when it does, Ignite prints its
 * banner and notes to stdout behind the logger's back, which is how a WARN-level Ignite still
 * writes dozens of lines.
 */
final class IgniteSlf4jLogger implements IgniteLogger {
    private final Logger log;

    IgniteSlf4jLogger() {
        this(LoggerFactory.getLogger("org.apache.ignite"));
    }

    private IgniteSlf4jLogger(Logger log) {
        this.log = log;
    }

    @Override
    public IgniteLogger getLogger(Object context) {
        String name = context instanceof Class<?> type ? type.getName() : String.valueOf(context);
        return new IgniteSlf4jLogger(LoggerFactory.getLogger(name));
    }

    @Override
    public void trace(String message) {
        log.trace(message);
    }

    @Override
    public void debug(String message) {
        log.debug(message);
    }

    @Override
    public void info(String message) {
        log.info(message);
    }

    @Override
    public void warning(String message, Throwable cause) {
        log.warn(message, cause);
    }

    @Override
    public void error(String message, Throwable cause) {
        log.error(message, cause);
    }

    @Override
    public boolean isTraceEnabled() {
        return log.isTraceEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
        return log.isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
        return log.isInfoEnabled();
    }

    @Override
    public boolean isQuiet() {
        return false;
    }

    @Override
    public String fileName() {
        return null;
    }
}
