"""The QNN test (Trusov et al. 2020; docs/qnn.md): the MRZ character data (data), the network's
integer model and weights file (intmodel), its training and export (training, with the command line
in train) and the paper's QNN table (table)."""
