package io.lineageql.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Starts an in-process Neo4j with Bolt on 127.0.0.1, with authentication on and the password
 * of user {@code neo4j} set to the first argument; prints {@code READY bolt://127.0.0.1:PORT}
 * on standard output, and shuts the database down when standard input closes or the process
 * is signalled.
 *
 * <p>With one argument it is a throwaway test database (neo4j-harness, a fresh folder and a
 * free port). With {@code PASSWORD HOME PORT} it keeps its data in {@code HOME} and listens on
 * {@code PORT}, so a test can kill it and start it again over the same data, as an outage and
 * a restart of a real server would.
 */
public final class Neo4jLauncher {

    private Neo4jLauncher() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1 && args.length != 3) {
            System.err.println("usage: Neo4jLauncher PASSWORD [HOME PORT]");
            System.exit(2);
        }
        String boltUri;
        DatabaseManagementService dbms;
        if (args.length == 1) {
            int port = freePort();
            Neo4j neo4j = Neo4jBuilders.newInProcessBuilder(Files.createTempDirectory("lineageql-neo4j-"))
                    .withDisabledServer()
                    .withConfig(GraphDatabaseSettings.auth_enabled, true)
                    .withConfig(BoltConnector.enabled, true)
                    .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                    .build();
            Runtime.getRuntime().addShutdownHook(new Thread(neo4j::close));
            dbms = neo4j.databaseManagementService();
            boltUri = neo4j.boltURI().toString();
        } else {
            int port = Integer.parseInt(args[2]);
            dbms = new DatabaseManagementServiceBuilder(Path.of(args[1]))
                    .setConfig(GraphDatabaseSettings.auth_enabled, true)
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                    .build();
            DatabaseManagementService stopping = dbms;
            Runtime.getRuntime().addShutdownHook(new Thread(stopping::shutdown));
            boltUri = "bolt://127.0.0.1:" + port;
        }
        try {
            dbms.database("system")
                    .executeTransactionally(
                            "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                            Map.of("password", args[0]));
        } catch (RuntimeException error) {
            // Started again over kept data: the password is set already (and may not be
            // set to itself).
            if (args.length == 1) {
                throw error;
            }
        }

        System.out.println("READY " + boltUri);
        System.out.flush();

        waitForEndOfInput(System.in);
        System.exit(0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    private static void waitForEndOfInput(InputStream in) throws IOException {
        byte[] buffer = new byte[256];
        while (in.read(buffer) >= 0) {
            // Input is ignored; its end is the signal to stop.
        }
    }
}
