package dev.vigil.gpu.backend;

import java.util.List;

/** The dynamic loader's reason, out of JNA's long message about a library it could not load. */
public final class LoaderMessages {
    private LoaderMessages() {
    }

    /**
     * JNA's message reads "Unable to load library 'x':", then the dlerror() of each attempt
     * ("x: cannot open shared object file: ..."), then every place it looked in the class path.
     * This keeps the first dlerror(), without the library's name in front.
     */
    public static String reason(String library, UnsatisfiedLinkError error) {
        String message = error.getMessage();
        if (message == null || message.isBlank()) {
            return "no reason given";
        }
        List<String> lines = message.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        String reason = lines.stream().skip(1).filter(l -> !l.startsWith("Native library ")).findFirst()
                .orElse(lines.get(0));
        if (reason.startsWith(library + ": ")) {
            reason = reason.substring(library.length() + 2);
        }
        return reason.length() > 300 ? reason.substring(0, 300) + "..." : reason;
    }
}
