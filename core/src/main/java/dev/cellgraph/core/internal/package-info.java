/**
 * Not API: zero-copy access to cellgraph's own data structures for cellgraph's other modules (the
 * executor, the scan compiler, training, the tasks). Nothing here is stable or meant for code
 * outside cellgraph; it may change or disappear in any release. Its callers promise what each
 * method states (chiefly: never write to an array they were given or gave up).
 *
 * <p>A package of its own, because automatic modules cannot hide a package from some modules
 * while exporting it to others; the public API in {@code dev.cellgraph.core} stays free of it.
 */
package dev.cellgraph.core.internal;
