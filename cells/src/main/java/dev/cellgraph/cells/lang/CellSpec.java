package dev.cellgraph.cells.lang;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.Maps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A recurrent cell defined by its equations: inputs, states, output, parameters and the
 * equations in evaluation order. Parse one from the formula language
 * ({@code docs/cell-language.md}) or build one in Java with {@link #builder()}.
 *
 * <p>Immutable and thread-safe. Two specs are equal when they define the same cell: same
 * inputs, states (with sizes), output, parameters (names, roles, shapes) and equations;
 * the source name, notation, spellings and positions do not count. {@link #toString()} is
 * {@link #toNormalizedString()}.
 */
public final class CellSpec {
  /** The longest text accepted, in characters. */
  public static final int MAX_CHARS = 1 << 18;
  /** The deepest nesting of a formula (parentheses, functions, operators) accepted. */
  public static final int MAX_DEPTH = 200;

  /** A check that depends on the sizes (for cells that need, say, I = H): null when fine. */
  @FunctionalInterface
  interface SizeCheck {
    CellFormulaException check(int inputSize, int hiddenSize);
  }

  private final Source source;
  private final String sourceName;
  private final Notation notation;
  private final ImmutableMap<String, Dim> inputs;
  private final ImmutableMap<String, Dim> states;
  private final String output;
  private final ImmutableList<Parameter> parameters;
  private final ImmutableList<Equation> equations;
  private final ImmutableMap<String, Dim> variables;
  private final IdentityHashMap<Expr, ImmutableList<Dim>> exprDims;
  private final ImmutableList<SizeCheck> sizeChecks;
  private final ImmutableList<String> sizeRequirements;
  private final ImmutableMap<String, String> reasons;
  private final ImmutableList<String> warnings;
  private final CellFormulaException undeclared;
  private final String convention;
  private final ImmutableMap<String, Double> constants;
  private final ImmutableMap<String, String> constantOrigins;
  private final String normalized;

  CellSpec(Source source, String sourceName, Notation notation, ImmutableMap<String, Dim> inputs,
      ImmutableMap<String, Dim> states, String output, ImmutableList<Parameter> parameters,
      ImmutableList<Equation> equations, ImmutableMap<String, Dim> variables,
      IdentityHashMap<Expr, ImmutableList<Dim>> exprDims, ImmutableList<SizeCheck> sizeChecks,
      ImmutableList<String> sizeRequirements, ImmutableMap<String, String> reasons, ImmutableList<String> warnings,
      CellFormulaException undeclared, ImmutableMap<String, Double> constants, ImmutableMap<String, String> constantOrigins,
      String convention) {
    this.constants = constants;
    this.constantOrigins = constantOrigins;
    this.convention = convention;
    this.sizeRequirements = sizeRequirements;
    this.reasons = reasons;
    this.warnings = warnings;
    this.undeclared = undeclared;
    this.source = source;
    this.sourceName = sourceName;
    this.notation = notation;
    this.inputs = inputs;
    this.states = states;
    this.output = output;
    this.parameters = parameters;
    this.equations = equations;
    this.variables = variables;
    this.exprDims = exprDims;
    this.sizeChecks = sizeChecks;
    this.normalized = Printer.normalized(this);
  }

  // ---------------------------------------------------------------- how it was read

  /**
   * Why a parameter is a matrix or a vector, for a reader to spot a misreading:
   * {@code matrix [H, I], because it multiplies 'x_t' at 3:12}, or {@code vector [H], declared at 2:7}.
   *
   * @param parameter a parameter's canonical name
   * @return the parameter's role and shape, with the reason for its role
   */
  public String why(String parameter) {
    Parameter p = parameter(parameter);
    return p.role().name().toLowerCase(java.util.Locale.ROOT) + " " + p.dims() + ", " + reasons.get(parameter);
  }

  /**
   * Which product convention the cell was read in, and why: {@code column vectors (W x, W stored
   * [out, in])}, or {@code row vectors (x W, W stored [in, out]), because every product has its
   * parameter on the right, as 'X_t W_{xr}' at 3:14}, or {@code ..., declared at 1:1}.
   *
   * @return the convention and the reason it was chosen
   */
  public String convention() {
    return convention;
  }

  /**
   * Readings that are likely but not certain, each a located message
   * ({@code a.cell:1:6: warning: 'W (...)' is read as the parameter W times the bracket; ...}).
   *
   * @return the located warnings; empty when the reading is certain
   */
  public ImmutableList<String> warnings() {
    return warnings;
  }

  /**
   * Throws, naming the first parameter that no {@code param} line declares, what a {@code strict}
   * line in the text does and {@code cellgraph check --strict} asks for; returns this spec otherwise.
   *
   * @return this spec, when every parameter is declared
   * @throws CellFormulaException located at the parameter's first use
   */
  public CellSpec requireDeclaredParameters() {
    if (undeclared != null) {
      throw undeclared;
    }
    return this;
  }

  /**
   * The named constants of the cell and their values, in order of definition: those its text
   * defines ({@code \beta = 1}), those given by {@link #parse(String, String, Map)} ({@code --set}),
   * and {@code epsilon} (1e-5) when the formulas read it and nothing defines it. The sizes
   * {@code H} and {@code I} are not listed: their values are the layer's.
   *
   * @return the constants' values by canonical name
   */
  public ImmutableMap<String, Double> constants() {
    return constants;
  }

  /**
   * Where a constant's value comes from: {@code defined at 2:1}, {@code set from outside the cell (--set)}, the default.
   *
   * @param name a constant's canonical name
   * @return where its value comes from
   */
  public String whyConstant(String name) {
    checkArgument(constants.containsKey(name), "'%s' is not a constant of this cell", name);
    return constantOrigins.get(name);
  }

  /**
   * The value of a constant of the formulas for these sizes: a named constant, or the size H or I.
   *
   * @param name a named constant, or {@code H} or {@code I}
   * @param inputSize the input size I
   * @param hiddenSize the hidden size H
   * @return the constant's value
   */
  public double constantValue(String name, int inputSize, int hiddenSize) {
    return switch (name) {
      case "H" -> hiddenSize;
      case "I" -> inputSize;
      default -> {
        Double v = constants.get(name);
        checkArgument(v != null, "'%s' is not a constant of this cell", name);
        yield v;
      }
    };
  }

  /**
   * The same cell with these constants set, as {@code --set beta=1} does: a constant the text
   * defines gets the new value, and a name the text uses as a parameter becomes a constant (the
   * hyperparameter fixed). Parses the text again.
   *
   * @param values the constants' new values, by canonical name
   * @return the cell parsed again with these constants
   * @throws CellFormulaException if a name is a variable, a declared parameter, a size, or not in the cell
   * @throws IllegalStateException for a cell built in Java (its builder takes constants)
   */
  public CellSpec withConstants(Map<String, Double> values) {
    checkState(source != null, "a cell built in Java takes its constants from its builder");
    return parse(source.text, sourceName, namedSizes(), values);
  }

  /**
   * The canonical name of a name spelled as a cell's text may spell it, for keys of
   * {@link #withConstants} given by a user ({@code --set}): {@code beta}, {@code \beta} and
   * {@code β} are {@code beta}, {@code \gamma_{1}} is {@code gamma_1}. A whole word is one name,
   * as in primed notation.
   *
   * @param spelling a name as a cell's text may write it, e.g. {@code \beta}
   * @return the canonical name, e.g. {@code beta}
   * @throws IllegalArgumentException if the spelling is not one name (a number, two names, a name
   *     with a time index or prime, an unknown LaTeX command), saying why
   */
  public static String canonicalName(String spelling) {
    requireNonNull(spelling, "spelling");
    List<Token> tokens;
    try {
      tokens = new Lexer(new Source("<name>", spelling), true, spelling.indexOf('\\') >= 0).tokens();
    } catch (CellFormulaException e) {
      throw new IllegalArgumentException("'" + spelling + "' is not a name: " + e.detail(), e);
    }
    Token t = tokens.get(0);
    checkArgument(tokens.size() == 2 && t.kind() == Token.Kind.IDENT && t.ident().time() == null
        && !t.ident().primed() && !t.ident().transposed(), "'%s' is not a name", spelling);
    return t.ident().name();
  }

  /**
   * The named sizes beyond I and H that the cell's shapes use, with the values it was read with
   * (given to {@link #parse(String, String, Map, Map)}, or the defaults of its {@code size} lines):
   * {@code {P=64}} for {@code lstm-projected}; empty for most cells.
   *
   * @return the named sizes' values by name; empty for most cells
   */
  public ImmutableMap<String, Integer> namedSizes() {
    Map<String, Integer> sizes = new LinkedHashMap<>();
    java.util.function.Consumer<Dim> add = d -> d.values().forEach((k, v) -> sizes.put(k, Math.toIntExact(v)));
    inputs.values().forEach(add);
    states.values().forEach(add);
    parameters.forEach(p -> p.dims().forEach(add));
    return ImmutableMap.copyOf(sizes);
  }

  // ---------------------------------------------------------------- parsing

  /**
   * Parses a cell from text; errors name the source {@code <string>}.
   *
   * @param text the cell in the formula language
   * @return the parsed cell
   */
  public static CellSpec parse(String text) {
    return parse(text, "<string>");
  }

  /**
   * Parses a cell from text; errors name {@code sourceName} (a file name, say).
   *
   * @param text the cell in the formula language
   * @param sourceName the name errors give the source, e.g. a file name
   * @return the parsed cell
   * @throws CellFormulaException if the text is not a valid cell
   */
  public static CellSpec parse(String text, String sourceName) {
    return parse(text, sourceName, Map.of());
  }

  /**
   * Parses a cell from text with constants given from outside it ({@code --set beta=1}), by
   * canonical name; see {@link #withConstants}.
   *
   * @param text the cell in the formula language
   * @param sourceName the name errors give the source, e.g. a file name
   * @param constants the values of constants set from outside, by canonical name
   * @return the parsed cell
   * @throws CellFormulaException if the text is not a valid cell or a constant cannot be set
   */
  public static CellSpec parse(String text, String sourceName, Map<String, Double> constants) {
    return parse(text, sourceName, Map.of(), constants);
  }

  /**
   * Parses a cell whose declarations use named sizes beyond I and H ({@code state r : [P]} in a
   * projected LSTM), each given here ({@code Map.of("P", 64)}), as {@code --size P=64} gives it on
   * the command line, and with constants as {@link #parse(String, String, Map)}. A named size is an
   * upper-case letter with optional letters and digits.
   *
   * @param text the cell in the formula language
   * @param sourceName the name errors give the source, e.g. a file name
   * @param sizes the value of each named size the declarations use, by name, e.g. {@code P}
   * @param constants the values of constants set from outside, by canonical name
   * @return the parsed cell
   * @throws CellFormulaException if the text is not a valid cell, uses a size not given, or is given
   *     a size it has not got
   * @throws IllegalArgumentException if a size is not positive or is not a valid name
   */
  public static CellSpec parse(String text, String sourceName, Map<String, Integer> sizes, Map<String, Double> constants) {
    requireNonNull(text, "text");
    requireNonNull(sourceName, "sourceName");
    checkSizes(sizes);
    for (Map.Entry<String, Double> e : constants.entrySet()) {
      checkArgument(Double.isFinite(e.getValue()), "constant %s (%s) must be finite", e.getKey(), e.getValue());
    }
    if (text.length() > MAX_CHARS) {
      throw Source.unlocated(sourceName, "cell text too large: " + text.length()
          + " characters (the limit is " + MAX_CHARS + ")");
    }
    if (text.startsWith("\uFEFF")) {
      text = " " + text.substring(1); // keep offsets and columns
    }
    Source src = new Source(sourceName, text);
    Notation notation = detectNotation(text);
    boolean words = primed(text);
    List<Token> tokens = new Lexer(src, words, notation == Notation.LATEX, UserFunctions.names(text)).tokens();
    Parser.Parsed parsed = new Parser(src, tokens, sizes).parse();
    Draft draft = new Resolver(src, parsed, words, notation, new LinkedHashMap<>(constants)).resolve();
    return new Analysis(draft).run();
  }

  private static void checkSizes(Map<String, Integer> sizes) {
    requireNonNull(sizes, "sizes");
    sizes.forEach((name, size) -> {
      checkArgument(name != null && name.matches("[A-Z][A-Za-z0-9]*") && !name.equals("I") && !name.equals("H"),
          "a named size (%s) is an upper-case letter with optional letters and digits, other than I and H", name);
      checkArgument(size != null && size > 0 && size <= Dim.MAX_COEFFICIENT,
          "size %s (%s) must be positive and at most %s", name, size, Dim.MAX_COEFFICIENT);
    });
  }

  /**
   * Parses a UTF-8 {@code .cell} file; errors name the file.
   *
   * @param file the {@code .cell} file
   * @return the parsed cell
   * @throws IOException if the file cannot be read
   */
  public static CellSpec parse(Path file) throws IOException {
    return parse(file, Map.of());
  }

  /**
   * Parses a UTF-8 {@code .cell} file with named sizes (see {@link #parse(String, String, Map, Map)}).
   *
   * @param file the {@code .cell} file
   * @param sizes the value of each named size the declarations use, by name, e.g. {@code P}
   * @return the parsed cell
   * @throws IOException if the file cannot be read
   */
  public static CellSpec parse(Path file, Map<String, Integer> sizes) throws IOException {
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    long size = Files.size(file);
    if (size > 4L * MAX_CHARS) {
      throw Source.unlocated(name, "cell text too large: " + size + " bytes (the limit is "
          + MAX_CHARS + " characters)");
    }
    byte[] bytes = Files.readAllBytes(file);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw Source.unlocated(name, "not valid UTF-8");
    }
    return parse(text, name, sizes, Map.of());
  }

  private static final Pattern LATEX = Pattern.compile("\\\\[A-Za-z]|\\$");
  private static final Pattern COMMENT = Pattern.compile("[#%][^\n]*");

  static Notation detectNotation(String text) {
    String code = COMMENT.matcher(text).replaceAll("");
    if (LATEX.matcher(code).find()) {
      return Notation.LATEX;
    }
    for (int k = 0; k < code.length(); k++) {
      if (code.charAt(k) > 127 && code.charAt(k) != '\uFEFF') {
        return Notation.UNICODE;
      }
    }
    return Notation.ASCII;
  }

  /** Primed notation: some definition's target carries a prime (h' = ...). */
  static boolean primed(String text) {
    String code = COMMENT.matcher(text).replaceAll("");
    for (String statement : code.split("\n|\\\\\\\\")) {
      int eq = statement.indexOf('=');
      if (eq > 0) {
        String target = statement.substring(0, eq);
        if (target.indexOf('\'') >= 0 || target.indexOf('\u2032') >= 0) {
          return true;
        }
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- the cell

  /**
   * The name errors use: a file name, {@code <string>} or {@code <builder>}.
   *
   * @return the source's name
   */
  public String sourceName() {
    return sourceName;
  }

  /**
   * How the cell was written.
   *
   * @return the cell's notation
   */
  public Notation notation() {
    return notation;
  }

  /**
   * The inputs, by canonical name ({@code x} unless declared).
   *
   * @return the input names
   */
  public ImmutableList<String> inputs() {
    return inputs.keySet().asList();
  }

  /**
   * The states, in order of declaration, then of first read at the previous step.
   *
   * @return the state names
   */
  public ImmutableList<String> states() {
    return states.keySet().asList();
  }

  /**
   * Whether this name is a state.
   *
   * @param name a canonical name
   * @return true if {@code name} is a state of the cell
   */
  public boolean isState(String name) {
    return states.containsKey(name);
  }

  /**
   * The output: declared, else {@code h} if defined, else {@code y}, else the only state.
   *
   * @return the output's canonical name
   */
  public String output() {
    return output;
  }

  /**
   * The values computed at each step that are not states, in evaluation order.
   *
   * @return the names of the intermediate values
   */
  public ImmutableList<String> intermediates() {
    return equations.stream().map(Equation::target).filter(t -> !states.containsKey(t))
        .collect(ImmutableList.toImmutableList());
  }

  /**
   * The parameters in order of first use in the text.
   *
   * @return the parameters
   */
  public ImmutableList<Parameter> parameters() {
    return parameters;
  }

  /**
   * The parameter of this canonical name.
   *
   * @param name the parameter's canonical name, e.g. {@code W_f}
   * @return the parameter
   */
  public Parameter parameter(String name) {
    for (Parameter p : parameters) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("'" + name + "' is not a parameter of this cell");
  }

  /**
   * The equations in evaluation order: each reads only what comes before it or previous states.
   *
   * @return the equations
   */
  public ImmutableList<Equation> equations() {
    return equations;
  }

  /**
   * The size of an input, state or intermediate value as a function of I and H.
   *
   * @param variable the canonical name of an input, state or intermediate value
   * @return the variable's size
   */
  public Dim dimOf(String variable) {
    Dim d = variables.get(variable);
    checkArgument(d != null, "'%s' is not a variable of this cell", variable);
    return d;
  }

  /**
   * The symbolic shape of a node of {@link #equations()}: empty for a number.
   *
   * @param node a node of the equations, the very object
   * @return the node's dimensions
   */
  public ImmutableList<Dim> dimsOf(Expr node) {
    ImmutableList<Dim> d = exprDims.get(node);
    checkArgument(d != null, "'%s' is not a node of this cell's equations", node);
    return d;
  }

  /**
   * Every shape for input size I and hidden size H.
   *
   * @param inputSize the input size I (positive)
   * @param hiddenSize the hidden size H (positive)
   * @return the shapes of every parameter, variable and node for these sizes
   * @throws IllegalArgumentException if a size is not positive
   * @throws CellFormulaException if the cell does not work for these sizes (a cell that adds
   *     {@code x} to a hidden vector needs I = H; an input declared {@code [1]} needs I = 1; a
   *     size such as {@code [H-I]} must come out positive and at most {@link Integer#MAX_VALUE}),
   *     located at the formula or declaration that needs it
   */
  public ShapeInfo shapes(int inputSize, int hiddenSize) {
    checkArgument(inputSize > 0, "input size (%s) must be positive", inputSize);
    checkArgument(hiddenSize > 0, "hidden size (%s) must be positive", hiddenSize);
    for (SizeCheck c : sizeChecks) {
      CellFormulaException e = c.check(inputSize, hiddenSize);
      if (e != null) {
        throw e;
      }
    }
    return new ShapeInfo(inputSize, hiddenSize, exprDims, variables, parameters);
  }

  /**
   * What the sizes must satisfy beyond being positive, such as {@code "I = H"} for a cell that
   * adds the input to a hidden vector; empty for most cells. {@link #shapes} checks them.
   *
   * @return the requirements, e.g. {@code "I = H"}; empty for most cells
   */
  public ImmutableList<String> sizeRequirements() {
    return sizeRequirements;
  }

  /**
   * How many numbers the parameters hold for input size I and hidden size H.
   *
   * @param inputSize the input size I
   * @param hiddenSize the hidden size H
   * @return the total number of scalars in all the parameters
   */
  public long parameterCount(int inputSize, int hiddenSize) {
    shapes(inputSize, hiddenSize);
    long n = 0;
    for (Parameter p : parameters) {
      n += p.count(inputSize, hiddenSize);
    }
    return n;
  }

  /**
   * The cell in the normalized notation: primed ASCII with canonical names, one declaration
   * per input, state and parameter (with its shape), then the equations in evaluation order.
   * It parses back to an equal spec with the same normalized form; a cell whose form would
   * exceed {@link #MAX_CHARS} is refused when parsed or built.
   *
   * @return the normalized text of the cell
   */
  public String toNormalizedString() {
    return normalized;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CellSpec c && c.inputs.equals(inputs) && c.states.equals(states)
        && c.output.equals(output) && c.parameters.equals(parameters) && c.equations.equals(equations)
        && c.constants.equals(constants);
  }

  @Override
  public int hashCode() {
    return Objects.hash(inputs, states, output, parameters, equations, constants);
  }

  @Override
  public String toString() {
    return toNormalizedString();
  }

  // ---------------------------------------------------------------- builder

  /**
   * A builder for cells defined in Java; see {@link Builder}.
   *
   * @return a new, empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a cell from {@link Expr} trees, checked exactly like parsed text. For example
   * the GRU of PyTorch:
   *
   * <pre>{@code
   * CellSpec gru = CellSpec.builder()
   *     .input("x").state("h")
   *     .define("r", Fn.SIGMOID.of(add(matmul("W_ir", var("x")), param("b_ir"),
   *                                    matmul("W_hr", prev("h")), param("b_hr"))))
   *     ...
   *     .define("h", add(mul(sub(num(1), var("z")), var("n")), mul(var("z"), prev("h"))))
   *     .build();
   * }</pre>
   *
   * (static imports from {@link Expr}). States are the declared ones plus every name read
   * with {@link Expr#prev}; the input is {@code x} unless declared. Not thread-safe.
   */
  public static final class Builder {
    private final Map<String, Dim> inputs = new LinkedHashMap<>();
    private final Map<String, Dim> states = new LinkedHashMap<>();
    private final Map<String, ImmutableList<Dim>> params = new LinkedHashMap<>();
    private final java.util.Set<String> diagonal = new java.util.LinkedHashSet<>();
    private final Map<String, Double> constants = new LinkedHashMap<>();
    private final List<Equation> equations = new ArrayList<>();
    private String output;
    private boolean built;

    private Builder() {}

    /**
     * Declares an input of size I.
     *
     * @param name the input's name
     * @return this builder
     */
    public Builder input(String name) {
      return input(name, Dim.I);
    }

    /**
     * Declares an input of size {@code size}.
     *
     * @param name the input's name
     * @param size the input's size
     * @return this builder
     * @throws IllegalStateException if {@code build()} was already called
     */
    public Builder input(String name, Dim size) {
      checkState(!built, "build() was already called");
      inputs.put(requireNonNull(name, "name"), requireNonNull(size, "size"));
      return this;
    }

    /**
     * Declares a state of size H (states read with {@link Expr#prev} need no declaration).
     *
     * @param name the state's name
     * @return this builder
     */
    public Builder state(String name) {
      return state(name, Dim.H);
    }

    /**
     * Declares a state of size {@code size}.
     *
     * @param name the state's name
     * @param size the state's size
     * @return this builder
     * @throws IllegalStateException if {@code build()} was already called
     */
    public Builder state(String name, Dim size) {
      checkState(!built, "build() was already called");
      states.put(requireNonNull(name, "name"), requireNonNull(size, "size"));
      return this;
    }

    /**
     * Names the state that is the cell's output.
     *
     * @param name the output state's name
     * @return this builder
     * @throws IllegalStateException if {@code build()} was already called
     */
    public Builder output(String name) {
      checkState(!built, "build() was already called");
      output = requireNonNull(name, "name");
      return this;
    }

    /**
     * Declares a parameter's shape: two dims for a matrix, one for a vector, none for a scalar.
     *
     * @param name the parameter's canonical name
     * @param dims the shape's dimensions, at most two
     * @return this builder
     */
    public Builder param(String name, Dim... dims) {
      checkState(!built, "build() was already called");
      checkArgument(dims.length <= 2, "a parameter has at most two dims, not %s", dims.length);
      params.put(requireNonNull(name, "name"), ImmutableList.copyOf(dims));
      return this;
    }

    /**
     * Declares a diagonal matrix of this size, stored as its diagonal (use it as {@code mul(param(name), v)}).
     *
     * @param name the parameter's canonical name
     * @param size the size of the matrix, the length of its diagonal
     * @return this builder
     */
    public Builder diagonalParam(String name, Dim size) {
      param(name, size);
      diagonal.add(name);
      return this;
    }

    /**
     * Defines a named constant, read in formulas as {@link Expr#constant}.
     *
     * @param name the constant's name
     * @param value the constant's value (finite)
     * @return this builder
     */
    public Builder constant(String name, double value) {
      checkState(!built, "build() was already called");
      checkArgument(Double.isFinite(value), "constant %s (%s) must be finite", name, value);
      constants.put(requireNonNull(name, "name"), value);
      return this;
    }

    /**
     * Defines a state's new value or an intermediate value.
     *
     * @param target the name of the defined state or intermediate value
     * @param expr the formula of its value
     * @return this builder
     */
    public Builder define(String target, Expr expr) {
      checkState(!built, "build() was already called");
      equations.add(new Equation(requireNonNull(target, "target"), target, requireNonNull(expr, "expr"), Span.NONE));
      return this;
    }

    /**
     * @return the checked cell
     * @throws CellFormulaException if the cell is invalid, as for parsed text
     */
    public CellSpec build() {
      checkState(!built, "build() was already called");
      built = true;
      for (Equation e : equations) {
        if (Depth.of(e.expr()) > MAX_DEPTH) {
          throw Source.unlocated("<builder>", "formula of '" + e.target() + "' too large (more than "
              + MAX_DEPTH + " levels or " + Depth.MAX_NODES + " nodes)");
        }
      }
      Map<String, Dim> in = new LinkedHashMap<>(inputs);
      if (in.isEmpty()) {
        in.put("x", Dim.I);
      }
      Map<String, Dim> st = new LinkedHashMap<>(states);
      for (Equation e : equations) {
        Analysis.walk(e.expr(), x -> {
          if (x instanceof Expr.Var v && v.time() == Expr.Time.PREVIOUS) {
            st.putIfAbsent(v.name(), Dim.H);
          }
        });
      }
      Draft d = new Draft(null, "<builder>", Notation.BUILDER, ImmutableMap.copyOf(in), ImmutableMap.copyOf(st),
          output, Span.NONE, ImmutableMap.copyOf(params), ImmutableMap.of(), ImmutableMap.of(),
          ImmutableList.copyOf(equations), false, ImmutableList.of(), com.google.common.collect.ImmutableSet.copyOf(diagonal),
          ImmutableMap.copyOf(constants), ImmutableMap.copyOf(Maps.transformValues(constants, v -> "defined in Java")),
          "column vectors (W x, W stored [out, in])", ImmutableMap.of());
      return new Analysis(d).run();
    }
  }

  /**
   * Tree height without recursion, counting nodes as a tree: a Java-built tree that shares
   * subtrees could otherwise stand for exponentially many nodes.
   */
  private static final class Depth {
    static final int MAX_NODES = 1 << 16;

    static int of(Expr root) {
      ArrayList<Expr> stack = new ArrayList<>();
      ArrayList<Integer> depths = new ArrayList<>();
      stack.add(root);
      depths.add(1);
      int max = 0;
      int count = 0;
      while (!stack.isEmpty()) {
        Expr e = stack.remove(stack.size() - 1);
        int d = depths.remove(depths.size() - 1);
        max = Math.max(max, d);
        if (max > MAX_DEPTH || ++count > MAX_NODES) {
          return Integer.MAX_VALUE;
        }
        for (Expr c : e.children()) {
          stack.add(c);
          depths.add(d + 1);
        }
      }
      return max;
    }
  }
}
