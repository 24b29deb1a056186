/**
 * Layers and losses as graph builders, with PyTorch's layouts and initializations:
 * {@link Embedding}, {@link Dense}, {@link Dropout} (its mask fed from a seeded generator) and
 * {@link Losses}; {@link SequenceModel} puts them around one recurrent layer as the network of the
 * classic sequence experiments.
 */
package dev.cellgraph.train.nn;
