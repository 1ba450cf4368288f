package io.horkd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.horkd.core.loss.Objective;
import io.horkd.nd4j.HorkdNd4j;
import io.horkd.train.config.DistillConfig;
import io.horkd.train.data.Augment;
import io.horkd.train.data.Datasets;
import io.horkd.train.data.Degrade;
import io.horkd.train.data.Views;
import io.horkd.train.model.Network;
import io.horkd.train.pipeline.Pipeline;
import io.horkd.train.stage.StageConfig;
import io.horkd.train.stage.StageTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code horkd train}: one stage of the pipeline, with the data, networks and hyperparameters of a
 * configuration (the same presets and overrides as {@code distill}). Resumes from its checkpoint when
 * run again with the same arguments.
 */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train one stage: a teacher, an assistant or an LR student.")
final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    enum Stage { TEACHER, ASSISTANT, STUDENT }

    @Option(names = "--stage", required = true, description = "teacher (HR, CE), assistant (HR, from --teacher) or student (LR, from --teacher)")
    Stage stage;

    @Option(names = "--teacher", paramLabel = "DIR/NAME", description = "the saved network to distil from (NAME.sd and NAME.properties in DIR)")
    Path teacher;

    @Option(names = "--init", paramLabel = "DIR/NAME", description = "initialise from this saved network (same structure)")
    Path init;

    @Option(names = "--factor", defaultValue = "2", description = "the student's down-sampling factor (default: ${DEFAULT-VALUE})")
    int factor;

    @Option(names = "--loss", paramLabel = "NAME|TERMS", description = {"horkd (the configuration's HORKD objective for the stage),",
        "a method of the configuration (kd, rkd, ...), or an objective such as \"ce + 0.02*l2 + 0.01*l3\"",
        "(default: ce for a teacher, horkd otherwise)"})
    String loss;

    @Option(names = "--epochs", description = "epochs (default: the configuration's for this stage)")
    Integer epochs;

    @Option(names = "--seed", defaultValue = "1", description = "seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--name", description = "the stage's name (default: stage-loss[-xFACTOR]-sSEED; custom for an objective)")
    String name;

    @Option(names = "--config", paramLabel = "PRESET|FILE", defaultValue = "default", description = "preset or YAML file (default: ${DEFAULT-VALUE})")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a configuration key")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--run", paramLabel = "DIR", defaultValue = "runs/train", description = "run directory (default: ${DEFAULT-VALUE})")
    Path run;

    @Override
    public Integer call() throws Exception {
        HorkdNd4j.install();
        DistillConfig cfg = DistillConfig.load(config, overrides);
        String l = loss != null ? loss.trim() : stage == Stage.TEACHER ? "ce" : "horkd";
        Objective w = l.equals("horkd") ? (stage == Stage.STUDENT ? cfg.studentLoss() : cfg.assistantLoss())
                : cfg.methods().containsKey(l) ? cfg.method(l) : Objective.parse(l);
        if (!w.without("ce").isEmpty() && teacher == null) throw new IllegalArgumentException("--loss " + l + " (" + w + ") needs --teacher");
        Datasets.Split data = Pipeline.data(cfg);
        Views views = Views.standardising(data.train());
        DistillConfig.Stream net = stage == Stage.TEACHER ? cfg.teacher() : cfg.assistant();
        int e = epochs != null ? epochs : stage == Stage.STUDENT ? cfg.student().epochs() : net.epochs();
        Degrade input = stage == Stage.STUDENT ? cfg.degrade(factor) : Degrade.NONE;
        String method = l.matches("[A-Za-z0-9_-]+") ? l.toLowerCase(Locale.ROOT) : "custom";
        String n = name != null ? name : stage.name().toLowerCase(Locale.ROOT) + "-" + method
                + (stage == Stage.STUDENT ? "-x" + factor : "") + "-s" + seed;
        DistillConfig.Train t = cfg.train();
        StageConfig sc = new StageConfig(n, cfg.network(net), input, Degrade.NONE, w, e, t.batch(), t.lr(), t.weightDecay(),
                new Augment(t.cropPad(), t.flip()), seed);
        Network from = teacher == null ? null : load(teacher);
        Network initial = init == null ? null : load(init);
        Progress progress = new Progress(cfg.metricLearning());
        StageTrainer.Result r;
        try {
            r = Quiet.run(() -> new StageTrainer(sc, data.train(), data.test(), views, from, run.resolve("checkpoints"), progress).run(initial));
        } finally {
            progress.close();
        }
        r.network().save(run.resolve("models"), n);
        StageTrainer.EpochMetrics last = r.history().get(r.history().size() - 1);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", run.resolve("models").resolve(n).toString());
        json.put("epochs", last.epoch());
        json.put(cfg.metricLearning() ? "testRecall1" : "testTop1", last.testTop1()); // the metric protocol scores epochs by Recall@1
        json.put("objective", last.objective());
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(json));
        return 0;
    }

    static Network load(Path dirAndName) {
        Path dir = dirAndName.getParent() == null ? Path.of(".") : dirAndName.getParent();
        return Network.load(dir, dirAndName.getFileName().toString());
    }
}
