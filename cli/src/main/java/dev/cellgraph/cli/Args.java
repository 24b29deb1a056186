package dev.cellgraph.cli;

import dev.cellgraph.core.Suggest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of one subcommand: {@code --name value}, {@code --name=value}, boolean
 * {@code --flag}s and positionals, checked against the options the command declares. An unknown
 * option is an error that suggests the closest known one.
 *
 * <p>Thread-safe once parsed: {@link #parse} fills it and nothing changes it afterwards.
 */
public final class Args {
  private final Map<String, String> values = new LinkedHashMap<>();
  private final Set<String> flags = new LinkedHashSet<>();
  private final List<String> positionals = new ArrayList<>();

  private Args() {}

  /**
   * Parses {@code argv}. {@code valued} lists options that take a value (without dashes),
   * {@code booleans} options that do not.
   *
   * @param argv the arguments after the command's name
   * @param valued the options that take a value
   * @param booleans the options that do not
   * @return the parsed arguments
   * @throws UsageException if an option is unknown, lacks its value, has one it does not take or is given twice
   */
  public static Args parse(String[] argv, Set<String> valued, Set<String> booleans) {
    Args a = new Args();
    for (int i = 0; i < argv.length; i++) {
      String s = argv[i];
      if (s.equals("--")) {
        for (int j = i + 1; j < argv.length; j++) {
          a.positionals.add(argv[j]);
        }
        break;
      }
      if (s.startsWith("--") || (s.startsWith("-") && s.length() == 2 && !Character.isDigit(s.charAt(1)))) {
        String name = s.startsWith("--") ? s.substring(2) : s.substring(1);
        String value = null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (valued.contains(name)) {
          if (value == null) {
            if (i + 1 >= argv.length) {
              throw new UsageException("option --" + name + " needs a value");
            }
            value = argv[++i];
          }
          if (a.values.containsKey(name)) {
            throw new UsageException("option --" + name + " given twice");
          }
          a.values.put(name, value);
        } else if (booleans.contains(name)) {
          if (value != null) {
            throw new UsageException("option --" + name + " takes no value");
          }
          a.flags.add(name);
        } else {
          Set<String> all = new LinkedHashSet<>(valued);
          all.addAll(booleans);
          String hint = Suggest.ON_COMMAND_LINE.closest(name, all);
          throw new UnknownOptionException("unknown option '" + s + "'"
              + (hint != null ? "; did you mean --" + hint + "?" : ""), valued, booleans);
        }
      } else {
        a.positionals.add(s);
      }
    }
    return a;
  }

  /**
   * The arguments that are not options, in order.
   *
   * @return the positional arguments
   */
  public List<String> positionals() {
    return positionals;
  }

  /**
   * The options given with a value, in the order given (unmodifiable).
   *
   * @return each option's value, by name without dashes
   */
  public Map<String, String> values() {
    return java.util.Collections.unmodifiableMap(values);
  }

  /**
   * The flags given (unmodifiable).
   *
   * @return the flag names without dashes
   */
  public Set<String> flags() {
    return java.util.Collections.unmodifiableSet(flags);
  }

  /**
   * These arguments over a recorded run's options: a value given here wins over the recorded one,
   * and a flag set in either is set. The recorded options are checked like a command line's.
   *
   * @param recordedValues the recorded options with a value
   * @param recordedFlags the recorded flags
   * @param valued the options that take a value
   * @param booleans the options that do not
   * @param origin what the recorded options came from, named in messages (e.g. the checkpoint file)
   * @return the merged arguments
   * @throws UsageException if a recorded option is unknown
   */
  public Args over(Map<String, String> recordedValues, Set<String> recordedFlags, Set<String> valued,
      Set<String> booleans, String origin) {
    Args merged = new Args();
    for (Map.Entry<String, String> e : recordedValues.entrySet()) {
      if (!valued.contains(e.getKey())) {
        throw new UsageException(origin + ": unknown option '" + e.getKey() + "' with a value");
      }
      merged.values.put(e.getKey(), e.getValue());
    }
    for (String f : recordedFlags) {
      if (!booleans.contains(f)) {
        throw new UsageException(origin + ": unknown flag '" + f + "'");
      }
      merged.flags.add(f);
    }
    merged.values.putAll(values);
    merged.flags.addAll(flags);
    merged.positionals.addAll(positionals);
    return merged;
  }

  /**
   * Whether the flag {@code --name} was given.
   *
   * @param name the flag without dashes
   * @return whether it was given
   */
  public boolean flag(String name) {
    return flags.contains(name);
  }

  /**
   * Whether the option {@code --name} was given a value.
   *
   * @param name the option without dashes
   * @return whether it was given
   */
  public boolean has(String name) {
    return values.containsKey(name);
  }

  /**
   * The value of {@code --name}, or null when absent.
   *
   * @param name the option without dashes
   * @return its value, or null
   */
  public String get(String name) {
    return values.get(name);
  }

  /**
   * The value of {@code --name}, or {@code dflt} when absent.
   *
   * @param name the option without dashes
   * @param dflt the value when absent
   * @return its value, or {@code dflt}
   */
  public String get(String name, String dflt) {
    return values.getOrDefault(name, dflt);
  }

  /**
   * A required option's value.
   *
   * @param name the option without dashes
   * @return its value
   * @throws UsageException if it was not given
   */
  public String require(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new UsageException("option --" + name + " is required");
    }
    return v;
  }

  /**
   * An integer option within [min, max], or the default when absent.
   *
   * @param name the option without dashes
   * @param dflt the value when absent
   * @param min the smallest value allowed
   * @param max the largest value allowed
   * @return its value, or {@code dflt}
   * @throws UsageException if the value is not a whole number in range
   */
  public int intValue(String name, int dflt, int min, int max) {
    String v = values.get(name);
    if (v == null) {
      return dflt;
    }
    return parseInt(name, v, min, max);
  }

  /**
   * An integer option within [min, max], or null when absent.
   *
   * @param name the option without dashes
   * @param min the smallest value allowed
   * @param max the largest value allowed
   * @return its value, or null
   * @throws UsageException if the value is not a whole number in range
   */
  public Integer intOrNull(String name, int min, int max) {
    String v = values.get(name);
    return v == null ? null : parseInt(name, v, min, max);
  }

  private int parseInt(String name, String v, int min, int max) {
    int n;
    try {
      n = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a whole number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new UsageException("--" + name + " must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  /**
   * A long option, or the default when absent.
   *
   * @param name the option without dashes
   * @param dflt the value when absent
   * @return its value, or {@code dflt}
   * @throws UsageException if the value is not a whole number
   */
  public long longValue(String name, long dflt) {
    String v = values.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a whole number, got '" + v + "'");
    }
  }

  /**
   * A number option within [min, max], or the default when absent.
   *
   * @param name the option without dashes
   * @param dflt the value when absent
   * @param min the smallest value allowed
   * @param max the largest value allowed
   * @return its value, or {@code dflt}
   * @throws UsageException if the value is not a number in range
   */
  public double doubleValue(String name, double dflt, double min, double max) {
    String v = values.get(name);
    if (v == null) {
      return dflt;
    }
    double d;
    try {
      d = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a number, got '" + v + "'");
    }
    if (!(d >= min && d <= max)) {
      throw new UsageException("--" + name + " must be between " + min + " and " + max + ", got " + v);
    }
    return d;
  }

  /**
   * One of the allowed words, or the default.
   *
   * @param name the option without dashes
   * @param dflt the value when absent
   * @param allowed the words allowed
   * @return its value, or {@code dflt}
   * @throws UsageException if the value is not one of {@code allowed}
   */
  public String choice(String name, String dflt, String... allowed) {
    String v = values.get(name);
    if (v == null) {
      return dflt;
    }
    for (String a : allowed) {
      if (a.equals(v)) {
        return v;
      }
    }
    throw new UsageException("--" + name + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
  }

  /**
   * Exactly {@code n} positionals, named in {@code what} for the message.
   *
   * @param n how many positionals the command takes
   * @param what what they are, as the message names them (e.g. {@code a .cell file})
   * @return the positionals
   * @throws UsageException if there are not exactly {@code n}
   */
  public List<String> positionals(int n, String what) {
    if (positionals.size() != n) {
      throw new UsageException("expected " + what + ", got "
          + (positionals.isEmpty() ? "nothing" : String.join(" ", positionals)));
    }
    return positionals;
  }

  /**
   * Checks that no argument besides options was given.
   *
   * @throws UsageException naming the first unexpected argument
   */
  public void noPositionals() {
    if (!positionals.isEmpty()) {
      throw new UsageException("unexpected argument '" + positionals.get(0) + "'");
    }
  }

  /**
   * A path given with a trailing separator names a directory, never a file to create.
   *
   * @param path the path as the user gave it
   * @throws UsageException if it ends with a separator
   */
  public static void checkNamesAFile(String path) {
    if (path.endsWith("/") || path.endsWith(java.io.File.separator)) {
      throw new UsageException("'" + path + "' ends with '/', so it names a directory; give a file name");
    }
  }
}
