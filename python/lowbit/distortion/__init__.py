"""Training with the input's distortion level (Janiszewski, Slugin, Arlazarov 2019): LeNet-5 on
blurred MNIST digits with training-only layers, evaluated in float, QNN-8 and QNN-4
(docs/distortion.md)."""
