package dev.vigil.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

/**
 * Checks where a server is about to listen before anything starts: a host that does not resolve
 * or a port already taken is then one line naming the option to change, instead of the stack
 * traces of a half-started Ignite node. (The port may still be taken in between; the handler in
 * {@link Vigil} words that case too.)
 */
final class ListenAddress {
    private ListenAddress() {
    }

    /** As {@link #check(String, String, String, String)} for a {@code HOST:PORT} (or {@code :PORT}) already validated. */
    static void check(String listen, String option) {
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        check(host.isEmpty() ? "0.0.0.0" : host, Integer.parseInt(listen.substring(colon + 1)), option, option);
    }

    /**
     * @param hostOption the option or config key that set the host, for the message
     * @param portOption the option that changes the port, for the hint
     * @throws StartFailure exit status 2 for a host that does not resolve, 4 for a port in use
     */
    static void check(String host, int port, String hostOption, String portOption) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new StartFailure(hostOption + ": \"" + host + "\" is not an address of this machine (allowed: an IP "
                    + "address or a host name that resolves, e.g. 127.0.0.1, or 0.0.0.0 for every interface)",
                    ExitCodes.CONFIG);
        }
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new StartFailure(inUse(host, port, e.getMessage(), portOption), ExitCodes.CANNOT_START);
        }
    }

    /** The message for an address that cannot be bound, with the option that moves it. */
    static String inUse(String host, int port, String why, String portOption) {
        String reason = why == null ? "address in use" : why.toLowerCase();
        return "cannot listen on " + host + ":" + port + ": " + reason + (reason.contains("in use")
                ? " (another vigil or another program listens there: stop it, or choose another port with "
                + portOption + ")" : " (choose another address or port with " + portOption + ")");
    }
}
