"""The QNN test (Trusov et al. 2020; docs/qnn.md): the MRZ character data (data, render), the
network's integer model (intmodel, with arch, quantization, variant), its files (weights, fixtures),
its training and export (train_run, training, torchnet, calibration; command line in train) and the
paper's QNN table (table)."""
