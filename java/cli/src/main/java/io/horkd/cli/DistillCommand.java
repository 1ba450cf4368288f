package io.horkd.cli;

import io.horkd.nd4j.HorkdNd4j;
import io.horkd.train.config.DistillConfig;
import io.horkd.train.pipeline.Pipeline;
import io.horkd.train.pipeline.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code horkd distill}: the whole pipeline (teacher, assistant, LR students and baselines, evaluation,
 * report) from a preset or YAML file plus overrides. Prints the run directory and the report's path on
 * stdout; progress on stderr.
 */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = "Run the two-stage cross-resolution distillation end to end, with its baselines and report.")
final class DistillCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "PRESET|FILE", defaultValue = "default",
            description = "a preset (default, full, metric, paper) or a YAML file (default: ${DEFAULT-VALUE})")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a configuration key, e.g. --set teacher.epochs=6 --set seeds=1,2,3")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--run", paramLabel = "DIR", description = "run directory (default: runs/distill-<date-time>)")
    Path run;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "resume the run in DIR with its saved config.yaml (after a kill, at most the current epoch is lost)")
    Path resume;

    @Override
    public Integer call() throws Exception {
        HorkdNd4j.install(); // before anything touches ND4J
        DistillConfig cfg;
        Path dir;
        if (resume != null) {
            Path saved = resume.resolve("config.yaml");
            if (!Files.isRegularFile(saved)) throw new IllegalArgumentException("--resume " + resume + ": no config.yaml there");
            cfg = DistillConfig.load(saved.toString(), overrides);
            dir = resume;
        } else {
            cfg = DistillConfig.load(config, overrides);
            dir = run != null ? run : Path.of("runs", "distill-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            if (Files.isDirectory(dir.resolve("checkpoints"))) {
                throw new IllegalArgumentException(dir + " holds an earlier run: --resume " + dir + " to continue it, or another --run");
            }
        }
        System.err.println("horkd distill: run directory " + dir);
        Progress progress = new Progress(cfg.metricLearning());
        Pipeline.Results[] results = new Pipeline.Results[1];
        try {
            Quiet.run(() -> results[0] = new Pipeline(cfg, dir, progress).run());
        } finally {
            progress.close();
        }
        spec.commandLine().getOut().println("run: " + dir);
        spec.commandLine().getOut().println("report: " + dir.resolve("report.md"));
        spec.commandLine().getOut().println("time: " + Report.effort(results[0]));
        return 0;
    }
}
