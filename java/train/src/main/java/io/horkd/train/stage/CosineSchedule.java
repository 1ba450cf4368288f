package io.horkd.train.stage;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Learning rate with a linear warm-up over {@code warmup} iterations, then a cosine decay from
 * {@code initial} to 0 at {@code total} iterations (SGDR without restarts). ND4J 1.0.0-M2.1 has none.
 */
public final class CosineSchedule implements ISchedule {
    private final double initial;
    private final int warmup;
    private final int total;

    @JsonCreator
    public CosineSchedule(@JsonProperty("initial") double initial, @JsonProperty("warmup") int warmup,
            @JsonProperty("total") int total) {
        if (!(initial > 0)) throw new IllegalArgumentException("initial learning rate must be positive, got " + initial);
        if (total < 1 || warmup < 0 || warmup >= total) {
            throw new IllegalArgumentException("need 0 <= warmup < total iterations, got warmup " + warmup + ", total " + total);
        }
        this.initial = initial;
        this.warmup = warmup;
        this.total = total;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmup) return initial * (iteration + 1) / (warmup + 1);
        double t = Math.min(1, (double) (iteration - warmup) / (total - warmup));
        return initial * 0.5 * (1 + Math.cos(Math.PI * t));
    }

    @Override
    public ISchedule clone() {
        return new CosineSchedule(initial, warmup, total);
    }

    @JsonProperty("initial")
    public double initial() {
        return initial;
    }

    @JsonProperty("warmup")
    public int warmup() {
        return warmup;
    }

    @JsonProperty("total")
    public int total() {
        return total;
    }
}
