package io.horkd.benchmarks;

import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The RKD distance and angle losses written as a DL4J user writes them in SameDiff, line for line after
 * the PyTorch reference code of Park et al. (lenscloth/RKD, metric/loss.py): {@code pdist} in matmul form
 * for the distances, and for the angles the broadcast differences {@code teacher[None] - teacher[:, None]}
 * ({@code [m, m, d]}), {@code F.normalize} and a batched matmul ({@code [m, m, m]}); autodiff gives the
 * backward pass. O(m^2 d + m^3) memory: the baseline horkd is measured against.
 *
 * <p>Two departures a user has to find, both measured with ND4J 1.0.0-M2.1 against finite differences of
 * its own forward pass: the backward of a broadcast {@code div} ({@code x / s} with {@code s} of shape
 * {@code []} or {@code [1, 1]}) is wrong (errors of the size of the gradient), so divisions are written
 * {@code x * reciprocal(s)}; and {@code norm2}'s backward is NaN at the zero vectors on the diagonal of
 * the difference tensor, so the norm is {@code sqrt(|x|^2 + eps^2)}, which equals RKD's
 * {@code max(|x|, eps)} to 1e-24 relative for every leg longer than eps. A third, found 2026-12-02: ND4J's
 * loss ops ({@code sd.loss().huberLoss}) ignore the gradient from above in their backward, so
 * {@code 0.02 * huberLoss(...)} trains as {@code huberLoss(...)}; the Huber mean is therefore written out
 * ({@link #huberMean}), so that a weight on these losses scales their gradient.
 */
public final class Nd4jRkd {
    public enum Loss {
        DISTANCE,
        ANGLE
    }

    private static final double EPS = 1e-12;
    private final SameDiff sd;
    private final String lossName;

    /**
     * The graph for student features {@code [m, ds]} (a variable, as the output of trainable layers would
     * be: SameDiff differentiates with respect to variables only) and a teacher placeholder {@code [m, dt]}.
     */
    public Nd4jRkd(Loss loss, int m, int ds, int dt, DataType type) {
        sd = SameDiff.create();
        SDVariable s = sd.var("s", type, m, ds);
        SDVariable t = sd.placeHolder("t", type, m, dt);
        SDVariable out = loss == Loss.DISTANCE ? distance(sd, "loss", s, t, m) : angle(sd, "loss", s, t, m, ds, dt);
        lossName = out.name();
    }

    /**
     * RkdDistance added to any graph: huber(pdist(s)/mean, pdist(t)/mean), the mean over all m^2 entries,
     * as the variable {@code name}.
     */
    public static SDVariable distance(SameDiff sd, String name, SDVariable s, SDVariable t, int m) {
        DataType type = s.dataType();
        SDVariable offDiagonal = sd.constant(name + "_offDiagonal", Nd4j.ones(type, m, m).subi(Nd4j.eye(m).castTo(type)));
        SDVariable td = pdist(sd, t, offDiagonal);
        td = td.mul(sd.math().reciprocal(td.sum().div(m * (m - 1.0)))); // t_d / t_d[t_d > 0].mean()
        SDVariable d = pdist(sd, s, offDiagonal);
        d = d.mul(sd.math().reciprocal(d.sum().div(m * (m - 1.0))));
        return huberMean(sd, name, d.sub(td));
    }

    /**
     * {@code mean(huber(x))}, delta 1, over every entry, from ordinary ops: {@code huber(x) = q^2 / 2 + |x| - q}
     * with {@code q = min(|x|, 1)} (what {@code huberLoss} with {@code MEAN_BY_WEIGHT} and no weights computes).
     */
    static SDVariable huberMean(SameDiff sd, String name, SDVariable x) {
        SDVariable a = sd.math().abs(x);
        SDVariable q = sd.math().min(a, sd.constant(name + "_delta", Nd4j.scalar(x.dataType(), 1.0)));
        return q.mul(q).mul(0.5).add(a.sub(q)).mean(name);
    }

    /** pdist(e): sqrt(clamp(|e_i|^2 + |e_j|^2 - 2 e_i.e_j, eps)) with a zero diagonal. */
    private static SDVariable pdist(SameDiff sd, SDVariable e, SDVariable offDiagonal) {
        SDVariable sq = e.mul(e).sum(true, 1);
        SDVariable prod = sd.mmul(e, e, false, true, false);
        SDVariable res = sq.add(sq.permute(1, 0)).sub(prod.mul(2.0));
        return sd.math().sqrt(sd.math().clipByValue(res, EPS, Double.MAX_VALUE)).mul(offDiagonal);
    }

    /**
     * RKdAngle added to any graph: huber of the m^3 cosines, from normalised broadcast differences and a
     * batched matmul, as the variable {@code name}.
     */
    public static SDVariable angle(SameDiff sd, String name, SDVariable s, SDVariable t, int m, int ds, int dt) {
        SDVariable tAngle = cosines(sd, t, m, dt);
        SDVariable sAngle = cosines(sd, s, m, ds);
        return huberMean(sd, name, sAngle.sub(tAngle));
    }

    private static SDVariable cosines(SameDiff sd, SDVariable x, int m, int d) {
        SDVariable diff = x.reshape(1, m, d).sub(x.reshape(m, 1, d)); // [a][b] = x_b - x_a
        SDVariable norm = sd.math().sqrt(diff.mul(diff).sum(true, 2).add(EPS * EPS)); // F.normalize's norm
        SDVariable unit = diff.mul(sd.math().reciprocal(norm));
        return sd.mmul(unit, unit, false, true, false).reshape(-1); // bmm(unit, unit^T).view(-1)
    }

    /** Loss value and dLoss/ds for one batch: the forward and backward passes. */
    public Result valueAndGradient(INDArray s, INDArray t) {
        INDArray grad = gradient(s, t);
        return new Result(sd.output(Map.of("t", t), lossName).get(lossName).getDouble(0), grad);
    }

    /** dLoss/ds (forward and backward, what a training step needs): the benchmarked work. */
    public INDArray gradient(INDArray s, INDArray t) {
        sd.getVariable("s").setArray(s);
        return sd.calculateGradients(Map.of("t", t), "s").get("s");
    }

    public record Result(double value, INDArray studentGradient) {}
}
