package org.hypercl.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's help: whole-sentence summaries, nothing past 80 columns, no picocli warnings. */
class HelpTest {

  private static final int WIDTH = 80;

  /** Every command and subcommand by its full name ("hypercl data list"), the top level first. */
  private static Map<String, CommandLine> allCommands() {
    Map<String, CommandLine> all = new LinkedHashMap<>();
    collect(HyperclCommand.commandLine(), all);
    return all;
  }

  private static void collect(CommandLine cl, Map<String, CommandLine> all) {
    cl.setUsageHelpWidth(WIDTH);
    all.put(cl.getCommandSpec().qualifiedName(), cl);
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (!all.containsKey(sub.getCommandSpec().qualifiedName())) {
        collect(sub, all);
      }
    }
  }

  /** The help text of {@code cl}, and whatever picocli wrote to stderr (its warnings) meanwhile. */
  private static String[] usage(CommandLine cl) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    StringWriter out = new StringWriter();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      cl.usage(new PrintWriter(out, true));
    } finally {
      System.setErr(saved);
    }
    return new String[] {out.toString(), err.toString(StandardCharsets.UTF_8)};
  }

  /** The "Commands:" list of a help text: each command's summary, its wrapped lines joined. */
  static Map<String, String> summaries(String help) {
    Map<String, String> out = new LinkedHashMap<>();
    int start = help.indexOf("\nCommands:\n");
    assertThat(start).as("a Commands: section in\n%s", help).isNotNegative();
    String current = null;
    for (String line : help.substring(start + "\nCommands:\n".length()).split("\\R")) {
      if (line.isBlank()) {
        break;
      }
      if (line.matches("  \\S.*")) {
        String[] parts = line.strip().split("\\s+", 2);
        current = parts[0];
        out.put(current, parts.length > 1 ? parts[1] : "");
      } else {
        out.merge(current, line.strip(), (a, b) -> a.isEmpty() ? b : a + " " + b);
      }
    }
    return out;
  }

  @Test
  void everyTopLevelSummaryIsWholeSentences() {
    CommandLine top = HyperclCommand.commandLine();
    top.setUsageHelpWidth(WIDTH);
    Map<String, String> summaries = summaries(usage(top)[0]);
    assertThat(summaries.keySet()).contains("demo", "train", "evaluate", "bench", "data", "report", "sweep", "export",
        "predict", "serve", "bench-serving");
    summaries.forEach((name, summary) -> assertThat(summary).as("summary of %s", name).endsWith(".").doesNotEndWith("e.g."));
  }

  @Test
  void everySubcommandListIsWholeSentences() {
    allCommands().forEach((name, cl) -> {
      if (!cl.getSubcommands().isEmpty() && !name.equals("hypercl")) {
        summaries(usage(cl)[0]).forEach((sub, summary) ->
            assertThat(summary).as("summary of %s %s", name, sub).endsWith("."));
      }
    });
  }

  @Test
  void noHelpLineIsWiderThan80ColumnsNorWarns() {
    List<String> wide = new ArrayList<>();
    allCommands().forEach((name, cl) -> {
      String[] help = usage(cl);
      assertThat(help[1]).as("stderr while rendering %s --help", name).isEmpty();
      for (String line : help[0].split("\\R")) {
        if (line.codePointCount(0, line.length()) > WIDTH) {
          wide.add(name + ": " + line);
        }
      }
    });
    assertThat(wide).isEmpty();
  }

  /**
   * A description line that starts with spaces is a table row or an example: picocli wraps a
   * longer one into the next row's column, so each must fit on its own.
   */
  @Test
  void tableRowsAndExamplesFitWithoutWrapping() {
    allCommands().forEach((name, cl) -> {
      for (String element : cl.getCommandSpec().usageMessage().description()) {
        if (element.startsWith(" ")) {
          assertThat(element.length()).as("%s: '%s'", name, element).isLessThanOrEqualTo(WIDTH);
        }
      }
    });
  }

  @Test
  void benchListsEveryConfiguration() {
    String help = usage(allCommands().get("hypercl bench"))[0].replaceAll("\\s+", " ");
    for (String c : List.of("toy", "split-mnist", "permuted-mnist-10", "permuted-mnist-100", "permuted-mnist-250",
        "split-cifar-resnet32", "split-cifar-zenkenet")) {
      assertThat(help).contains(" " + c);
    }
    assertThat(help).doesNotContain("--inter-threads");
  }
}
