package io.agentstream;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class AgentstreamApplication {

    /**
     * Runs the service, or, with {@code keys ...} as arguments, the key-management command
     * for operators (no web server; see {@code io.agentstream.auth.KeysCommand}).
     */
    public static void main(String[] args) {
        quietBootsFailureReport();
        limitResponsePrefetch();
        if (args.length > 0 && args[0].equals("keys")) {
            // Quiet logs as a command-line property: it must outrank application.yml's LOG_LEVEL.
            String[] arguments = java.util.Arrays.copyOf(args, args.length + 1);
            arguments[args.length] = "--logging.level.root=WARN";
            System.exit(SpringApplication.exit(new SpringApplicationBuilder(AgentstreamApplication.class)
                    .web(WebApplicationType.NONE)
                    .properties("agentstream.cli.keys=true", "spring.main.banner-mode=off")
                    .run(arguments)));
        }
        SpringApplication.run(AgentstreamApplication.class, args);
    }

    /**
     * Reactor Netty takes up to this many buffers of a response body ahead of the socket (128
     * by default), in an array of that many slots per response. A stream's body is its live
     * events: up to 128 of them could wait there for a slow client, out of reach of the stream's
     * own bounded queue, and every open stream kept the array. Read once,
     * when the first response is sent; an operator's -D setting wins.
     */
    static void limitResponsePrefetch() {
        System.getProperties().putIfAbsent("reactor.netty.send.maxPrefetchSize", "8");
    }

    /**
     * A start-up failure is reported in one line by {@code config.OneLineFailureReporter}.
     * application.yml silences Boot's framed report once logging is configured; this covers
     * failures before that (a bad variable, the embedded PostgreSQL).
     */
    private static void quietBootsFailureReport() {
        if (org.slf4j.LoggerFactory.getLogger("org.springframework.boot.diagnostics.LoggingFailureAnalysisReporter")
                instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(ch.qos.logback.classic.Level.OFF);
        }
    }
}
