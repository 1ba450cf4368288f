"""Writes the example inputs of `horkd losses` (run from this folder: python3 make_examples.py).

triangle/: the 3-point example worked out by hand in ReferenceDefinitionTest (a 3-4-5 teacher triangle,
           a unit right isosceles student triangle, labels 0, 1, 1).
batch/:    one realistic mini-batch: 64 samples of 5 classes, a 48-d teacher, a 32-d student that sees a
           noisy linear image of the teacher, a projection 32 -> 48 (least squares, as training would
           approach it), and dataset-level class centres of
           the teacher computed over 2000 samples (what CenterAccumulator builds from a training set).
"""
import numpy as np

np.save("triangle/teacher.npy", np.array([[0, 0], [3, 0], [0, 4]], dtype=np.float32))
np.save("triangle/student.npy", np.array([[0, 0], [1, 0], [0, 1]], dtype=np.float32))
np.save("triangle/labels.npy", np.array([0, 1, 1], dtype=np.int64))

rng = np.random.default_rng(20261121)
classes, dt, ds, m = 5, 48, 32, 64
means = rng.normal(0, 2, size=(classes, dt))
mix = rng.normal(0, 1 / np.sqrt(dt), size=(ds, dt))

def teacher_of(labels):
    return means[labels] + rng.normal(0, 1, size=(len(labels), dt)) + 3.0  # features sit away from 0

dataset_labels = rng.integers(0, classes, size=2000)
dataset = teacher_of(dataset_labels)
centers = np.stack([dataset[dataset_labels == c].mean(axis=0) for c in range(classes)])

labels = rng.integers(0, classes, size=m)
teacher = teacher_of(labels)
student = teacher @ mix.T + rng.normal(0, 0.5, size=(m, ds))
# What a trained projection approximates: the least-squares map from student to teacher features.
projection = np.linalg.lstsq(student, teacher, rcond=None)[0].T

np.save("batch/teacher.npy", teacher.astype(np.float32))
np.save("batch/student.npy", student.astype(np.float32))
np.save("batch/labels.npy", labels.astype(np.int64))
np.save("batch/centers.npy", centers.astype(np.float32))
np.save("batch/projection.npy", np.ascontiguousarray(projection, dtype=np.float32))
