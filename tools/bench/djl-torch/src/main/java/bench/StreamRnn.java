package bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.RNN;
import ai.djl.pytorch.jni.JniUtils;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Streaming inference: batch 1, one time step per call, the state carried from call to call, as
 * an online model runs (the peer of {@code cellgraph bench --stream}).
 *
 * <p>DJL 0.36.0's JNI has no {@code lstm_cell} (nor {@code gru_cell}, {@code rnn_tanh_cell}), so
 * each step calls {@code torch::lstm} (JNI torchNNLstm; {@code torch::gru}, {@code torch::rnn_tanh})
 * on a length-1 sequence {@code [1, 1, I]} with the previous step's {@code (h, c)}: has_biases=true,
 * num_layers=1, dropout=0, train=false, bidirectional=false, batch_first=false, with autograd off
 * ({@code torch::GradMode::set_enabled(false)}, what {@code torch.no_grad()} sets). With one step
 * this is the same arithmetic as {@code lstm_cell}. A step is that call plus the freeing of the
 * previous state and of the output (what a Java caller of DJL must do each step); the inputs are
 * made beforehand (64 distinct ones, cycled).
 *
 * <p>Timing: {@code --warmup} steps (default 1000) and at least {@code --warmup-seconds}
 * (default 5), then the median of {@code --reps} (default 1000) single timed steps.
 */
final class StreamRnn {
    private static final int INPUTS = 64;

    private StreamRnn() {}

    /** One stream of one cell: its weights, the inputs it cycles through and the carried state. */
    static final class Stream implements AutoCloseable {
        final String cell;
        final boolean composed;
        final NDManager manager;
        final NDList params;
        final NDArray[] inputs = new NDArray[INPUTS];
        NDList state;
        int next;

        Stream(NDManager parent, String cell, boolean composed, int in, int h, DataType dtype) {
            this.cell = cell;
            this.composed = composed;
            if (composed && !"lstm".equals(cell)) {
                throw new IllegalArgumentException("--ops cell is lstm_cell's composition: for lstm only, not " + cell);
            }
            this.manager = parent.newSubManager();
            int g = Bench.Cell.gates(cell) * h;
            float k = (float) (1.0 / Math.sqrt(h));
            params = new NDList(
                    manager.randomUniform(-k, k, new Shape(g, in), dtype),
                    manager.randomUniform(-k, k, new Shape(g, h), dtype),
                    manager.randomUniform(-k, k, new Shape(g), dtype),
                    manager.randomUniform(-k, k, new Shape(g), dtype));
            for (int i = 0; i < INPUTS; i++) {
                inputs[i] = manager.randomNormal(0, 1, composed ? new Shape(1, in) : new Shape(1, 1, in), dtype);
            }
            Shape hs = composed ? new Shape(1, h) : new Shape(1, 1, h);
            state = new NDList(manager.zeros(hs, dtype));
            if ("lstm".equals(cell)) {
                state.add(manager.zeros(hs, dtype));
            }
        }

        /** The same weights and inputs as {@code other}, stepped the other way. */
        Stream(NDManager parent, Stream other, boolean composed) {
            this.cell = other.cell;
            this.composed = composed;
            this.manager = parent.newSubManager();
            params = new NDList();
            for (NDArray p : other.params) {
                NDArray q = p.duplicate();
                q.attach(manager);
                params.add(q);
            }
            for (int i = 0; i < INPUTS; i++) {
                Shape xs = other.inputs[i].getShape();
                long in = xs.get(xs.dimension() - 1);
                inputs[i] = other.inputs[i].reshape(composed ? new Shape(1, in) : new Shape(1, 1, in));
                inputs[i].attach(manager);
            }
            state = new NDList();
            for (NDArray st : other.state) {
                long h = st.getShape().get(st.getShape().dimension() - 1);
                state.add(manager.zeros(composed ? new Shape(1, h) : new Shape(1, 1, h), st.getDataType()));
            }
        }

        /** One time step: output [1, 1, H] and the new state, the old state and the output freed. */
        void step() {
            NDArray x = inputs[next];
            next = (next + 1) % INPUTS;
            if (composed) {
                lstmCell(x);
                return;
            }
            NDList out;
            switch (cell) {
                case "lstm":
                    out = x.getNDArrayInternal().lstm(x, state, params, true, 1, 0.0, false, false, false);
                    break;
                case "gru":
                    out = x.getNDArrayInternal().gru(x, state.get(0), params, true, 1, 0.0, false, false, false);
                    break;
                case "rnn":
                    out = x.getNDArrayInternal()
                            .rnn(x, state.get(0), params, true, 1, RNN.Activation.TANH, 0.0, false, false, false);
                    break;
                default:
                    throw new IllegalArgumentException("unknown cell " + cell);
            }
            state.close();
            out.get(0).close();
            state = out.subNDList(1);
        }

        /**
         * at::lstm_cell as ATen composes it on the CPU (aten/src/ATen/native/RNN.cpp, LSTMCell):
         * {@code gates = linear(h, w_hh, b_hh).add_(linear(x, w_ih, b_ih))}, chunked in 4, then
         * {@code c' = σ(f) c + σ(i) tanh(g)}, {@code h' = σ(o) tanh(c')}: one JNI call per op.
         */
        private void lstmCell(NDArray x) {
            NDArray h = state.get(0);
            NDArray c = state.get(1);
            NDArray gates = Linear.linear(h, params.get(1), params.get(3)).singletonOrThrow();
            NDArray gi = Linear.linear(x, params.get(0), params.get(2)).singletonOrThrow();
            gates.addi(gi);
            NDList chunks = gates.split(4, 1);
            NDArray i = chunks.get(0).getNDArrayInternal().sigmoid();
            NDArray f = chunks.get(1).getNDArrayInternal().sigmoid();
            NDArray g = chunks.get(2).tanh();
            NDArray o = chunks.get(3).getNDArrayInternal().sigmoid();
            NDArray ig = i.mul(g);
            NDArray cn = f.mul(c).addi(ig);
            NDArray tc = cn.tanh();
            NDArray hn = o.mul(tc);
            for (NDArray t : new NDArray[] {gates, gi, i, f, g, o, ig, tc}) {
                t.close();
            }
            chunks.close();
            state.close();
            state = new NDList(hn, cn);
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /**
     * lstm_cell's composition computes what torch::lstm computes, step after step: 20 steps of
     * the medium LSTM from the same weights and inputs, h and c within 1e-5 (float32) or 1e-12.
     */
    static void checkCellMatchesLstm(DataType dtype) {
        try (NDManager m = NDManager.newBaseManager();
                Stream seq = new Stream(m, "lstm", false, 128, 256, dtype);
                Stream cell = new Stream(m, seq, true)) {
            for (int i = 0; i < 20; i++) {
                seq.step();
                cell.step();
            }
            double tol = dtype == DataType.FLOAT64 ? 1e-12 : 1e-5;
            for (int k = 0; k < 2; k++) {
                NDArray a = seq.state.get(k).reshape(-1);
                NDArray b = cell.state.get(k).reshape(-1);
                double diff = a.sub(b).abs().max().toType(DataType.FLOAT64, false).getDouble();
                if (!(diff <= tol)) {
                    throw new IllegalStateException("lstm_cell's ops differ from torch::lstm by " + diff + " in "
                            + (k == 0 ? "h" : "c") + " after 20 steps");
                }
                System.err.printf("# check: lstm_cell's ops vs torch::lstm, %s after 20 steps: max |diff| %.3g%n",
                        k == 0 ? "h" : "c", diff);
            }
        }
    }

    static void run(Map<String, String> opt, int threads) {
        int reps = Integer.parseInt(opt.getOrDefault("reps", "1000"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "1000"));
        double warmupSeconds = Double.parseDouble(opt.getOrDefault("warmup-seconds", "5"));
        String[] configs = opt.getOrDefault("configs", "small,medium").split(",");
        String[] cells = opt.getOrDefault("cells", "lstm").split(",");
        String[] ops = opt.getOrDefault("ops", "seq,cell").split(",");
        DataType dtype = "float64".equals(opt.getOrDefault("dtype", "float32")) ? DataType.FLOAT64 : DataType.FLOAT32;
        JniUtils.setGradMode(false); // torch.no_grad()
        checkCellMatchesLstm(dtype);
        for (String name : configs) {
            int[] c = Bench.CONFIGS.get(name);
            if (c == null) {
                throw new IllegalArgumentException("unknown config " + name);
            }
            int in = c[0];
            int h = c[1];
            for (String cellName : cells) {
              for (String op : ops) {
                if (!op.equals("seq") && !op.equals("cell")) {
                    throw new IllegalArgumentException("unknown op " + op + " (seq or cell)");
                }
                boolean composed = op.equals("cell");
                if (composed && !"lstm".equals(cellName)) {
                    continue; // lstm_cell's composition is written for the LSTM only
                }
                try (NDManager m = NDManager.newBaseManager();
                        Stream s = new Stream(m, cellName, composed, in, h, dtype)) {
                    long start = System.nanoTime();
                    for (int i = 0; i < warmup || (System.nanoTime() - start) / 1e9 < warmupSeconds; i++) {
                        s.step();
                    }
                    double[] ts = new double[reps];
                    for (int i = 0; i < reps; i++) {
                        long t0 = System.nanoTime();
                        s.step();
                        ts[i] = (System.nanoTime() - t0) * 1e-9;
                    }
                    double best = ts[0];
                    for (double t : ts) {
                        best = Math.min(best, t);
                    }
                    Map<String, Object> j = new LinkedHashMap<>();
                    j.put("cell", cellName);
                    j.put("impl", "builtin");
                    j.put("config", name);
                    j.put("threads", threads);
                    j.put("I", in);
                    j.put("H", h);
                    j.put("B", 1);
                    j.put("T", 1);
                    j.put("seconds", Bench.round(Bench.median(ts), 8));
                    j.put("best_seconds", Bench.round(best, 8));
                    j.put("dtype", dtype == DataType.FLOAT64 ? "float64" : "float32");
                    j.put("mode", "stream");
                    j.put("steps", reps);
                    j.put("op", composed ? "at::lstm_cell's ops (linear x2, add_, chunk, sigmoid x3, tanh x2, mul x3, add_; no_grad)"
                            : "torch::" + ("rnn".equals(cellName) ? "rnn_tanh" : cellName) + " (T=1, no_grad)");
                    j.put("engine", Bench.ENGINE_TAG);
                    System.out.println(Bench.json(j));
                    System.out.flush();
                }
              }
            }
        }
    }
}
