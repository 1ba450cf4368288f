package io.horkd.cli;

import io.horkd.train.pipeline.Report;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code horkd report}: rewrites a finished run's report.md and plots from its results.json. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Rewrite a run's report and plots from its results.json.")
final class ReportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run directory of horkd distill")
    Path run;

    @Override
    public Integer call() throws Exception {
        spec.commandLine().getOut().println("report: " + Report.rewrite(run));
        return 0;
    }
}
