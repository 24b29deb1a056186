/**
 * Training: a {@link Trainer} fits the model of a {@link Task} (its {@link Batch}es, model and
 * loss) with an {@link Optimizer}, a {@link LearningRate} schedule and {@link GradientClipping},
 * with a policy for non-finite steps ({@link TrainingDivergedException} when it gives up); it
 * records a {@link History}, reports through {@link Progress} and saves checkpoints
 * ({@link Checkpoint}) from which a run resumes bit for bit. {@link Sampler} generates from a
 * trained token model, and {@link GradientFlow} measures how gradients reach earlier steps.
 * {@link Model} is the eager path without a task: a loss and its gradients on the caller's own
 * tensors, for a loop of optimizer steps (see {@code docs/java-api.md}). The
 * layers are in {@link dev.cellgraph.train.nn}, the classic experiments in
 * {@link dev.cellgraph.train.tasks}. See {@code docs/training.md}.
 */
package dev.cellgraph.train;
