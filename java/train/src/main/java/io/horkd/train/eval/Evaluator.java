package io.horkd.train.eval;

import io.horkd.train.data.Batches;
import io.horkd.train.data.Degrade;
import io.horkd.train.data.ImageSet;
import io.horkd.train.data.Views;
import io.horkd.train.model.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Classification and retrieval metrics of a network on a test set seen through a view. */
public final class Evaluator {
    private Evaluator() {}

    /** Top-1 and top-5 accuracy and the confusion matrix ({@code [true][predicted]} counts). */
    public record Classification(double top1, double top5, long[][] confusion) {}

    /** A network's features {@code [n][d]} and logits {@code [n][C]} for every image of a set, through one view. */
    public record Embedding(float[][] features, float[][] logits) {
        /** The first {@code n} rows of the features. */
        public float[][] features(int n) {
            return java.util.Arrays.copyOf(features, Math.min(n, features.length));
        }
    }

    /** One inference pass over {@code set} through {@code view}, in batches of {@code batch}. */
    public static Embedding embed(Network net, ImageSet set, Views views, Degrade view, int batch) {
        float[][] f = new float[set.size()][];
        float[][] z = new float[set.size()][];
        for (int[] idx : Batches.sequential(set.size(), batch)) {
            INDArray[] out = net.featuresAndLogits(views.plain(set, idx, view)[0]);
            float[][] fb = out[0].castTo(DataType.FLOAT).toFloatMatrix();
            float[][] zb = out[1].castTo(DataType.FLOAT).toFloatMatrix();
            System.arraycopy(fb, 0, f, idx[0], idx.length);
            System.arraycopy(zb, 0, z, idx[0], idx.length);
        }
        return new Embedding(f, z);
    }

    /** Each row scaled to unit length (rows of zeros stay zero): Euclidean ranking of them is cosine ranking. */
    public static float[][] normalized(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            double ss = 0;
            for (float v : rows[i]) ss += (double) v * v;
            double inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
            out[i] = new float[rows[i].length];
            for (int k = 0; k < out[i].length; k++) out[i][k] = (float) (rows[i][k] * inv);
        }
        return out;
    }

    /**
     * Recall@1 of the first {@code n} images of {@code set} seen through {@code view}, each searching the
     * others by cosine similarity of the features: the metric protocol's per-epoch figure.
     */
    public static double recallAt1(Network net, ImageSet set, Views views, Degrade view, int n, int batch) {
        ImageSet q = set.head(n);
        float[][] f = normalized(embed(net, q, views, view, batch).features());
        return recallAtK(f, f, q.labels(), new int[] {1})[0];
    }

    /** Classification of {@code test} seen through {@code view}. */
    public static Classification classify(Network net, ImageSet test, Views views, Degrade view, int batch) {
        return classify(embed(net, test, views, view, batch).logits(), test.labels(), test.classes());
    }

    /** Classification from logits {@code [n][C]} against {@code labels}. */
    public static Classification classify(float[][] logits, int[] labels, int c) {
        long[][] confusion = new long[c][c];
        long hit1 = 0, hit5 = 0;
        for (int i = 0; i < logits.length; i++) {
            float[] z = logits[i];
            int truth = labels[i];
            int best = 0;
            int above = 0; // classes scoring strictly higher than the truth
            for (int k = 0; k < c; k++) {
                if (z[k] > z[best]) best = k;
                if (z[k] > z[truth]) above++;
            }
            confusion[truth][best]++;
            if (best == truth) hit1++;
            if (above < 5) hit5++;
        }
        return new Classification((double) hit1 / logits.length, (double) hit5 / logits.length, confusion);
    }

    /**
     * Recall@K of retrieval: query i (an image seen through one view) searches the gallery (the same
     * images seen through the same or another view: gallery i is query i's twin) by Euclidean distance of
     * the network's features, its own twin i excluded; a hit when one of the K nearest has the query's class.
     */
    public static double[] recallAtK(float[][] queries, float[][] gallery, int[] labels, int[] ks) {
        int n = queries.length;
        int kMax = 0;
        for (int k : ks) {
            if (k < 1 || k >= n) throw new IllegalArgumentException("K must be in 1.." + (n - 1) + ", got " + k);
            kMax = Math.max(kMax, k);
        }
        double[] gNorm = new double[n];
        for (int j = 0; j < n; j++) for (float v : gallery[j]) gNorm[j] += (double) v * v;
        long[] hits = new long[ks.length];
        final int km = kMax;
        long[][] perQuery = new long[n][];
        java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
            // The K nearest by |g|^2 - 2 q.g (|q|^2 is the same for every candidate), ties by index.
            int[] best = new int[km];
            double[] bestD = new double[km];
            java.util.Arrays.fill(bestD, Double.POSITIVE_INFINITY);
            float[] qi = queries[i];
            for (int j = 0; j < n; j++) {
                if (j == i) continue;
                float[] gj = gallery[j];
                double dot = 0;
                for (int k = 0; k < qi.length; k++) dot += (double) qi[k] * gj[k];
                double d = gNorm[j] - 2 * dot;
                if (d < bestD[km - 1]) {
                    int p = km - 1;
                    while (p > 0 && bestD[p - 1] > d) {
                        bestD[p] = bestD[p - 1];
                        best[p] = best[p - 1];
                        p--;
                    }
                    bestD[p] = d;
                    best[p] = j;
                }
            }
            long[] h = new long[ks.length];
            for (int t = 0; t < ks.length; t++) {
                for (int r = 0; r < ks[t]; r++) {
                    if (labels[best[r]] == labels[i]) {
                        h[t] = 1;
                        break;
                    }
                }
            }
            perQuery[i] = h;
        });
        for (long[] h : perQuery) for (int t = 0; t < ks.length; t++) hits[t] += h[t];
        double[] r = new double[ks.length];
        for (int t = 0; t < ks.length; t++) r[t] = (double) hits[t] / n;
        return r;
    }
}
