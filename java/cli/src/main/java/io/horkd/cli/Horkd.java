package io.horkd.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code horkd} command. Subcommands do one job each and print machine-readable results on stdout;
 * logs and progress go to stderr.
 *
 * <p>Exit codes: 0 success, 1 the work failed (bad data, a backend that cannot run), 2 bad usage.
 */
@Command(name = "horkd", mixinStandardHelpOptions = true, versionProvider = Horkd.Version.class,
        description = "Cross-resolution hybrid-order relational knowledge distillation.",
        subcommands = {LossesCommand.class, DistillCommand.class, TrainCommand.class, EvalCommand.class, ReportCommand.class,
                CommandLine.HelpCommand.class})
public final class Horkd implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Quiet by default: stdout carries results, stderr only warnings. -Dorg.slf4j.simpleLogger.defaultLogLevel=info to see more.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
            System.setProperty("org.slf4j.simpleLogger.log.io.horkd", "info"); // horkd's own progress, not ND4J's noise
            System.setProperty("org.slf4j.simpleLogger.log.org.nd4j", "error");
        }
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Horkd());
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean expected = e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    || e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException;
            cmd.getErr().println(cmd.getCommandName() + ": " + (expected ? e.getMessage() : e));
            if (!expected) e.printStackTrace(cmd.getErr());
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Version from the jar manifest (or "dev" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Horkd.class.getPackage().getImplementationVersion();
            return new String[] {"horkd " + (v == null ? "dev" : v)};
        }
    }
}
