package dev.vigil.http;

/** Answers one request. Runs on the server's event loop: it must not block. */
@FunctionalInterface
public interface Handler {
    Response handle(Request request) throws Exception;
}
