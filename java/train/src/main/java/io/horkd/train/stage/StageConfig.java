package io.horkd.train.stage;

import io.horkd.core.loss.Objective;
import io.horkd.train.data.Augment;
import io.horkd.train.data.Degrade;
import io.horkd.train.model.ResNetSpec;

/**
 * One training stage: a network trained on one view of the images, from a frozen teacher that sees
 * another view (or from the labels alone).
 *
 * @param name        the stage's name in logs, checkpoints and reports (a file name: letters, digits, - and _)
 * @param network     the stream trained
 * @param input       the view it trains on (HR: {@link Degrade#NONE}; LR: {@code Degrade.by(2)})
 * @param teacherInput the view its teacher sees
 * @param loss        the stage's whole loss: CE, the feature terms and the logit terms ({@link Objective})
 * @param epochs      passes over the training set
 * @param batch       mini-batch size (the m of the relational losses)
 * @param lr          peak learning rate (SGD with Nesterov momentum 0.9, cosine decay, one epoch's 10% warm-up)
 * @param weightDecay L2 coefficient on every weight
 * @param augment     training augmentation
 * @param seed        initial weights, batch order and augmentation
 */
public record StageConfig(String name, ResNetSpec network, Degrade input, Degrade teacherInput, Objective loss, int epochs,
        int batch, double lr, double weightDecay, Augment augment, long seed) {
    public StageConfig {
        if (name == null || !name.matches("[A-Za-z0-9_-]+")) throw new IllegalArgumentException("stage name must be letters, digits, - or _, got '" + name + "'");
        if (loss == null || loss.isEmpty()) throw new IllegalArgumentException("stage " + name + " needs a loss with at least one term");
        if (epochs < 1) throw new IllegalArgumentException("epochs must be positive, got " + epochs);
        if (batch < 3 && loss.has("l3")) throw new IllegalArgumentException("batch must be >= 3 for the angle loss, got " + batch);
        if (batch < 2) throw new IllegalArgumentException("batch must be >= 2, got " + batch);
        if (!(lr > 0)) throw new IllegalArgumentException("lr must be positive, got " + lr);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
    }
}
