package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableList;
import dev.cellgraph.cells.lang.Parser.Assign;
import dev.cellgraph.cells.lang.Parser.Parsed;
import dev.cellgraph.cells.lang.Token.Ident;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops a sum's index from the names it adds up: in {@code \sum_i (a_i - \mu)^2} the summand is
 * {@code (a - \mu)^2}, summed over the hidden axis. A name whose subscript holds the index with
 * other letters ({@code W_{ij}} under {@code \sum_j}) would be a sum this language cannot say (a
 * matrix product written with indices), so it is refused rather than read as another name.
 */
final class SumIndex {
  private SumIndex() {}

  static Parsed strip(Source src, Parsed parsed) {
    List<Assign> assigns = new ArrayList<>();
    boolean changed = false;
    for (Assign a : parsed.assigns()) {
      Raw e = strip(src, a.expr(), null);
      changed |= e != a.expr();
      assigns.add(e == a.expr() ? a : new Assign(a.target(), e));
    }
    return changed ? new Parsed(parsed.decls(), assigns, parsed.applied(), parsed.strict(),
        parsed.functions(), parsed.aliases(), parsed.shared(), parsed.convention()) : parsed;
  }

  private static Raw strip(Source src, Raw r, String index) {
    if (r instanceof Raw.Name n) {
      return index == null ? r : name(src, n, index);
    }
    if (r instanceof Raw.Call c) {
      String inner = c.index() != null ? c.index() : index;
      ImmutableList<Raw> args = all(src, c.args(), inner);
      return args == c.args() ? r : new Raw.Call(c.fn(), args, c.index(), c.start(), c.end(), c.height());
    }
    if (index == null && !contains(r)) {
      return r;
    }
    if (r instanceof Raw.Bin b) {
      return new Raw.Bin(b.op(), strip(src, b.left(), index), strip(src, b.right(), index), b.start(), b.end(), b.height());
    } else if (r instanceof Raw.Prod p) {
      return new Raw.Prod(strip(src, p.left(), index), strip(src, p.right(), index), p.start(), p.end(), p.height());
    } else if (r instanceof Raw.Neg g) {
      return new Raw.Neg(strip(src, g.operand(), index), g.start(), g.end(), g.height());
    } else if (r instanceof Raw.Cat c) {
      return new Raw.Cat(all(src, c.parts(), index), c.start(), c.end(), c.height());
    } else if (r instanceof Raw.Group g) {
      return new Raw.Group(strip(src, g.inner(), index), g.start(), g.end(), g.height());
    } else if (r instanceof Raw.Pow w) {
      return new Raw.Pow(strip(src, w.base(), index), w.exponent(), w.start(), w.end(), w.height());
    } else if (r instanceof Raw.Diag d) {
      return new Raw.Diag(strip(src, d.arg(), index), d.start(), d.end(), d.height());
    }
    return r;
  }

  private static ImmutableList<Raw> all(Source src, ImmutableList<Raw> rs, String index) {
    ImmutableList.Builder<Raw> b = ImmutableList.builder();
    boolean changed = false;
    for (Raw x : rs) {
      Raw y = strip(src, x, index);
      changed |= y != x;
      b.add(y);
    }
    return changed ? b.build() : rs;
  }

  /** Whether a sum is somewhere below (else nothing to strip: the tree is kept as it is). */
  private static boolean contains(Raw r) {
    if (r instanceof Raw.Call c && c.index() != null) {
      return true;
    }
    for (Raw c : Raw.children(r)) {
      if (contains(c)) {
        return true;
      }
    }
    return false;
  }

  private static Raw name(Source src, Raw.Name n, String index) {
    Token t = n.token();
    Ident id = t.ident();
    String name = id.name();
    int u = name.indexOf('_');
    if (u < 0) {
      return n;
    }
    int end = name.indexOf('^', u);
    String sub = name.substring(u + 1, end < 0 ? name.length() : end);
    if (sub.equals(index)) {
      Ident stripped = new Ident(name.substring(0, u) + (end < 0 ? "" : name.substring(end)), id.time(), id.primed(),
          id.transposed());
      return new Raw.Name(new Token(t.kind(), t.start(), t.end(), stripped), n.start(), n.end(), n.height());
    }
    if (sub.contains(index)) {
      throw src.error(t.start(), "the index '" + index + "' of the sum is in the subscript of '"
          + src.text.substring(t.start(), t.end()) + "': only sums over the hidden axis, \\sum_" + index + " z_" + index
          + ", are supported (a matrix product is written W x)");
    }
    return n;
  }
}
