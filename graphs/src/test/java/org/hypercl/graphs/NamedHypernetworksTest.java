package org.hypercl.graphs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Two hypernetworks and two embedding tables in one graph and one checkpoint, told apart by name. */
class NamedHypernetworksTest {

  private static final HypernetworkSpec SPEC = HypernetworkSpec.chunked(4, 3, new int[] {5}, Activation.ELU, 16, 50);

  private record Built(Graph graph, Session session, List<Operand<TFloat32>> outputs) implements AutoCloseable {
    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  private static Built build(long seedA, long seedB) {
    Graph g = new Graph();
    Ops tf = Ops.create(g);
    Hypernetwork a = Hypernetwork.create(tf, "classifier/hnet", SPEC, seedA);
    Hypernetwork b = Hypernetwork.create(tf, "replay/hnet", SPEC, seedB);
    TaskEmbeddings ea = new TaskEmbeddings(tf, "classifier/", 3, 4, seedA + 1);
    TaskEmbeddings eb = new TaskEmbeddings(tf, "replay/", 3, 4, seedB + 1);
    List<Operand<TFloat32>> out = List.of(
        a.generate(tf, a.read(tf), tf.identity(ea.table())), b.generate(tf, b.read(tf), tf.identity(eb.table())));
    Session s = new Session(g);
    s.initialize();
    return new Built(g, s, out);
  }

  private static float[][] values(Built b) {
    try (Result r = b.session().runner().fetch(b.outputs().get(0)).fetch(b.outputs().get(1)).run()) {
      return new float[][] {Tensors.toFloats(r.get(0)), Tensors.toFloats(r.get(1))};
    }
  }

  @Test
  void bothRestoreFromOneCheckpoint(@TempDir Path tmp) {
    float[][] saved;
    try (Built b = build(1, 2)) {
      saved = values(b);
      assertThat(saved[0]).isNotEqualTo(saved[1]);
      b.session().save(tmp.resolve("model").toString());
    }
    try (Built other = build(7, 8)) {
      assertThat(values(other)[0]).isNotEqualTo(saved[0]);
      other.session().restore(tmp.resolve("model").toString());
      float[][] restored = values(other);
      assertThat(restored[0]).containsExactly(saved[0]);
      assertThat(restored[1]).containsExactly(saved[1]);
    }
  }

  @Test
  void aNameMustBeAPath() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      assertThat(assertThrows(IllegalArgumentException.class, () -> Hypernetwork.create(tf, "hnet/", SPEC, 1)).getMessage())
          .contains("'hnet/'");
      assertThat(Hypernetwork.create(tf, SPEC, 1).variables().get(0).op().name()).isEqualTo("hnet/chunk_embeddings");
    }
  }
}
