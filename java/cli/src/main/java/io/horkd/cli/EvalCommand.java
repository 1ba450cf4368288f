package io.horkd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.horkd.nd4j.HorkdNd4j;
import io.horkd.train.config.DistillConfig;
import io.horkd.train.data.Datasets;
import io.horkd.train.data.Degrade;
import io.horkd.train.data.Views;
import io.horkd.train.eval.Evaluator;
import io.horkd.train.model.Network;
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
 * Recall@K of those images as queries against the HR gallery, and the confusion matrix, as one JSON object.
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
        Datasets.Split data = Pipeline.data(cfg.data());
        Views views = Views.standardising(data.train()); // the normalisation the network was trained with
        Map<String, Object> out = new LinkedHashMap<>();
        Quiet.run(() -> {
            Network net = TrainCommand.load(model);
            Degrade view = factor == 1 ? Degrade.NONE : cfg.degrade(factor);
            Evaluator.Embedding e = Evaluator.embed(net, data.test(), views, view, 256);
            Evaluator.Classification c = Evaluator.classify(e.logits(), data.test().labels(), data.test().classes());
            int[] ks = cfg.eval().recallK().stream().mapToInt(Integer::intValue).toArray();
            float[][] gallery = factor == 1 ? e.features(cfg.eval().recallQueries())
                    : Evaluator.embed(net, data.test().head(cfg.eval().recallQueries()), views, Degrade.NONE, 256).features();
            double[] recall = Evaluator.recallAtK(e.features(gallery.length), gallery, data.test().labels(), ks);
            out.put("model", model.toString());
            out.put("resolution", view.outSide(data.test().height()));
            out.put("top1", c.top1());
            out.put("top5", c.top5());
            Map<String, Double> r = new LinkedHashMap<>();
            for (int i = 0; i < ks.length; i++) r.put("R@" + ks[i], recall[i]);
            out.put("recall", r);
            out.put("classes", data.test().classNames());
            out.put("confusion", c.confusion());
            return null;
        });
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(out));
        return 0;
    }
}
