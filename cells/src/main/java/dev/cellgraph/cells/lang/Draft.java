package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;

/**
 * A cell whose names are resolved but not yet checked: what the parser and the builder both
 * hand to {@link Analysis}. Maps keep declaration order; the spans are of declared names
 * (inputs and states in {@code declaredVariableSpans}), empty for Java-built cells; {@code strict}
 * when every parameter must be declared; {@code warnings} are located messages for {@code check};
 * {@code diagonalParams} are declared {@code diag[n]}; {@code constants} are the named constants
 * with their values and, in {@code constantOrigins}, where each value comes from;
 * {@code convention} says which product convention was read and why; {@code origins} which function
 * application made a parameter ({@code alpha_1}).
 */
record Draft(
    Source source,
    String sourceName,
    Notation notation,
    ImmutableMap<String, Dim> inputs,
    ImmutableMap<String, Dim> states,
    String output,
    Span outputSpan,
    ImmutableMap<String, ImmutableList<Dim>> declaredParams,
    ImmutableMap<String, Span> declaredParamSpans,
    ImmutableMap<String, Span> declaredVariableSpans,
    ImmutableList<Equation> equations,
    boolean strict,
    ImmutableList<String> warnings,
    ImmutableSet<String> diagonalParams,
    ImmutableMap<String, Double> constants,
    ImmutableMap<String, String> constantOrigins,
    String convention,
    ImmutableMap<String, String> origins) {}
