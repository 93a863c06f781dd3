package dev.snapflow.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MarkdownTableTest {
    @Test
    void rendersHeaderSeparatorAndRowsWithNumbersRoundedAndPipesEscaped() {
        String table = new MarkdownTable("rate", "p99", "note")
                .row(500.0, 12.345, "a|b")
                .row(1500.0, Double.NaN, null)
                .render();

        assertThat(table).isEqualTo("""
                | rate | p99 | note |
                | --- | --- | --- |
                | 500 | 12.3 | a\\|b |
                | 1500 | – | – |
                """);
    }

    @Test
    void refusesARowWithTheWrongNumberOfCells() {
        assertThatThrownBy(() -> new MarkdownTable("a", "b").row(1)).hasMessageContaining("1 cells");
    }

    @Test
    void historyGetsTheNewRowFirstAndKeepsTheRestOfTheReadme() {
        String readme = "intro\n" + HistoryTable.START + "\n| date | x |\n| --- | --- |\n| old | 1 |\n"
                + HistoryTable.END + "\noutro\n";

        String updated = HistoryTable.withRow(readme, "| date | x |", "| new | 2 |");

        assertThat(updated).isEqualTo("intro\n" + HistoryTable.START + "\n| date | x |\n| --- | --- |\n| new | 2 |\n| old | 1 |\n"
                + HistoryTable.END + "\noutro\n");
    }

    @Test
    void historyStartsATableInAnEmptySection() {
        String updated = HistoryTable.withRow(HistoryTable.START + "\n" + HistoryTable.END, "| a | b |", "| 1 | 2 |");

        assertThat(updated).isEqualTo(HistoryTable.START + "\n| a | b |\n| --- | --- |\n| 1 | 2 |\n" + HistoryTable.END);
    }
}
