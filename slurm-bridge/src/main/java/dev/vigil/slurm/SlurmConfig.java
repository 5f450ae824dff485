package dev.vigil.slurm;

import dev.vigil.api.binding.InvalidValueException;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Where Slurm is and how to talk to it. Binds from YAML with {@code Documents}, e.g.
 * <pre>
 * url: http://slurmctl-1:6820
 * user: vigil
 * tokenFile: /etc/vigil/slurm.jwt      # or token: eyJ...
 * timeout: 10s
 * commandEnvironment:                 # for the Slurm commands the bridge falls back to
 *   SLURM_CONF: /etc/slurm/slurm.conf
 * </pre>
 *
 * @param url                slurmrestd's address ({@code http://host:6820}); JWT auth, HTTP/1.1
 * @param user               the user the token belongs to ({@code X-SLURM-USER-NAME}); jobs run as this user
 * @param token              a JWT from {@code scontrol token}; or give {@code tokenFile}
 * @param tokenFile          a file holding the JWT, read again whenever it changes (so a cron job can
 *                           renew it)
 * @param timeout            for one REST request or one command (default 10 s)
 * @param commandEnvironment added to the environment of {@code sbatch}/{@code scontrol}, which run
 *                           on this host as this process's user (default: none)
 */
public record SlurmConfig(URI url, String user, String token, Path tokenFile, Duration timeout,
                          Map<String, String> commandEnvironment) {
    public SlurmConfig {
        InvalidValueException.required(url, "url", "slurmrestd's address, e.g. http://slurmctl-1:6820");
        InvalidValueException.require(("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
                && url.getHost() != null, "url", url, "an http:// or https:// address with a host, e.g. http://slurmctl-1:6820");
        InvalidValueException.require(user != null && user.matches("[A-Za-z0-9._][A-Za-z0-9._-]*"), "user", user,
                "the Unix user name the token was made for (scontrol token username=NAME)");
        InvalidValueException.require(token != null || tokenFile != null, "token", null,
                "a JWT (token) or a file holding one (tokenFile)");
        InvalidValueException.require(token == null || tokenFile == null, "tokenFile", tokenFile,
                "nothing when token is given: one of token and tokenFile");
        InvalidValueException.require(token == null || !token.isBlank(), "token", token, "a JWT from scontrol token");
        timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
        InvalidValueException.require(!timeout.isNegative() && !timeout.isZero()
                && timeout.compareTo(Duration.ofMinutes(5)) <= 0, "timeout", timeout, "more than 0s, at most 5m");
        commandEnvironment = commandEnvironment == null ? Map.of() : Map.copyOf(commandEnvironment);
    }

    /** A config with a token and the defaults. */
    public static SlurmConfig of(URI url, String user, String token) {
        return new SlurmConfig(url, user, token, null, null, null);
    }
}
