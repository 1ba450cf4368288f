package io.horkd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.horkd.nd4j.HorkdNd4j;
import io.horkd.train.config.DistillConfig;
import io.horkd.train.data.Datasets;
import io.horkd.train.data.Degrade;
import io.horkd.train.data.Views;
import io.horkd.train.eval.Evaluator;
import io.horkd.train.model.Network;
import io.horkd.train.model.ResNetSpec;
import io.horkd.train.pipeline.Pipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code horkd eval}: a saved network on the configuration's test set at one resolution: top-1, top-5,
 * Recall@K of those images as queries against the HR gallery ({@code recall}) and among themselves
 * ({@code recallWithin}), and the confusion matrix, as one JSON object; with {@code --config metric}, only
 * the recalls, by cosine, on the unseen classes.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a saved network at a resolution.")
final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR/NAME", description = "the saved network (NAME.sd, NAME.properties in DIR)")
    Path model;

    @Option(names = "--factor", defaultValue = "1", description = "down-sampling factor of the test images (default: ${DEFAULT-VALUE}: HR)")
    int factor;

    @Option(names = "--config", paramLabel = "PRESET|FILE", defaultValue = "default",
            description = "the configuration the network was trained with (data, normalisation, filter; default: ${DEFAULT-VALUE})")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a configuration key")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        HorkdNd4j.install();
        DistillConfig cfg = DistillConfig.load(config, overrides);
        Datasets.Split data = Pipeline.data(cfg);
        Views views = Views.standardising(data.train()); // the normalisation the network was trained with
        Map<String, Object> out = new LinkedHashMap<>();
        Quiet.run(() -> {
            Network net = TrainCommand.load(model);
            ResNetSpec.Head head = cfg.network(cfg.assistant()).head();
            if (net.spec().head() != head || net.classes() != data.train().classes()) {
                throw new IllegalArgumentException(model + " is " + net + ", but --config " + config + " trains "
                        + data.train().classes() + "-class networks with the " + head.name().toLowerCase(java.util.Locale.ROOT)
                        + " head: evaluate it with the configuration it was trained with" + (cfg.metricLearning() ? "" : " (--config metric?)"));
            }
            Degrade view = factor == 1 ? Degrade.NONE : cfg.degrade(factor);
            Evaluator.Embedding e = Evaluator.embed(net, data.test(), views, view, 256);
            int[] ks = cfg.eval().recallK().stream().mapToInt(Integer::intValue).toArray();
            float[][] gallery = factor == 1 ? e.features(cfg.eval().recallQueries())
                    : Evaluator.embed(net, data.test().head(cfg.eval().recallQueries()), views, Degrade.NONE, 256).features();
            float[][] queries = Pipeline.retrievalSpace(cfg, e.features(gallery.length));
            gallery = Pipeline.retrievalSpace(cfg, gallery);
            double[] recall = Evaluator.recallAtK(queries, gallery, data.test().labels(), ks);
            double[] within = Evaluator.recallAtK(queries, queries, data.test().labels(), ks);
            out.put("model", model.toString());
            out.put("resolution", view.outSide(data.test().height()));
            Evaluator.Classification c = cfg.metricLearning() ? null : Evaluator.classify(e.logits(), data.test().labels(), data.test().classes());
            if (c != null) {
                out.put("top1", c.top1());
                out.put("top5", c.top5());
            }
            Map<String, Double> r = new LinkedHashMap<>();
            Map<String, Double> w = new LinkedHashMap<>();
            for (int i = 0; i < ks.length; i++) {
                r.put("R@" + ks[i], recall[i]);
                w.put("R@" + ks[i], within[i]);
            }
            out.put("recall", r);
            out.put("recallWithin", w);
            out.put("classes", data.test().classNames());
            if (c != null) out.put("confusion", c.confusion());
            return null;
        });
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(out));
        return 0;
    }
}
