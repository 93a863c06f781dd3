package dev.snapflow.local.sampledata;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OrdersGeneratorTest {
    private static final int ORDER_ID = OrdersGenerator.COLUMNS.indexOf("order_id");
    private static final int STATUS = OrdersGenerator.COLUMNS.indexOf("status");
    private static final int COUNTRY = OrdersGenerator.COLUMNS.indexOf("country");
    private static final int QUANTITY = OrdersGenerator.COLUMNS.indexOf("quantity");
    private static final int UNIT_PRICE = OrdersGenerator.COLUMNS.indexOf("unit_price");
    private static final int ORDER_TS = OrdersGenerator.COLUMNS.indexOf("order_ts");
    private static final int UPDATED_AT = OrdersGenerator.COLUMNS.indexOf("updated_at");
    private static final int CUSTOMER_ID = OrdersGenerator.COLUMNS.indexOf("customer_id");
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT)
            .withResolverStyle(java.time.format.ResolverStyle.STRICT);

    @Test
    void theSameSpecAlwaysGivesTheSameBytesAndAnotherSeedDoesNot() throws IOException {
        assertThat(csv(new OrdersSpec(7, 3_000, 1))).isEqualTo(csv(new OrdersSpec(7, 3_000, 1)))
                .isNotEqualTo(csv(new OrdersSpec(8, 3_000, 1)));
    }

    @Test
    void generatedOrdersCarryTheDirtOfRealExports() throws IOException {
        List<String> lines = csv(new OrdersSpec(42, 20_000, 1)).lines().toList();
        assertThat(lines.get(0)).isEqualTo(String.join(",", OrdersGenerator.COLUMNS));
        List<String> rows = lines.subList(1, lines.size());
        assertThat(rows).hasSize(20_000);

        Set<String> seen = new HashSet<>();
        long exactDuplicates = rows.stream().filter(r -> !seen.add(r)).count();
        Map<String, Set<String>> updatesPerOrder = new HashMap<>();
        long padded = 0;
        long oddCasing = 0;
        long malformedNumbers = 0;
        long malformedTimestamps = 0;
        long missingCustomer = 0;
        for (String row : rows) {
            List<String> f = CsvLines.fields(row);
            assertThat(f).hasSize(OrdersGenerator.COLUMNS.size());
            updatesPerOrder.computeIfAbsent(f.get(ORDER_ID), k -> new HashSet<>()).add(f.get(UPDATED_AT));
            padded += f.get(STATUS).startsWith(" ") || f.get(COUNTRY).startsWith(" ") ? 1 : 0;
            oddCasing += !f.get(STATUS).strip().equals(f.get(STATUS).strip().toLowerCase(Locale.ROOT))
                    || !f.get(COUNTRY).equals(f.get(COUNTRY).toUpperCase(Locale.ROOT)) ? 1 : 0;
            malformedNumbers += !f.get(QUANTITY).matches("\\d+") || !f.get(UNIT_PRICE).matches("\\d+\\.\\d{2}") ? 1 : 0;
            malformedTimestamps += parses(f.get(ORDER_TS)) ? 0 : 1;
            missingCustomer += f.get(CUSTOMER_ID).isEmpty() ? 1 : 0;
            assertThat(parses(f.get(UPDATED_AT))).as("updated_at is always well formed: " + row).isTrue();
        }
        long lateUpdatedOrders = updatesPerOrder.values().stream().filter(v -> v.size() > 1).count();

        assertThat(exactDuplicates).isBetween(200L, 800L);
        assertThat(lateUpdatedOrders).isBetween(300L, 1_200L);
        assertThat(padded).isPositive();
        assertThat(oddCasing).isPositive();
        assertThat(malformedNumbers).isPositive();
        assertThat(malformedTimestamps).isPositive();
        assertThat(missingCustomer).isPositive();
    }

    @Test
    void twoDifferentVersionsOfAnOrderNeverShareAnUpdatedAt() throws IOException {
        // Keeping "the latest by updated_at" must be well defined: only exact duplicate lines may tie.
        Map<String, Set<String>> linesPerVersion = new HashMap<>();
        for (String row : csv(new OrdersSpec(3, 10_000, 1)).lines().skip(1).toList()) {
            List<String> f = CsvLines.fields(row);
            linesPerVersion.computeIfAbsent(f.get(ORDER_ID) + "@" + f.get(UPDATED_AT), k -> new HashSet<>())
                    .add(String.join(",", f.subList(0, ORDER_TS)) + String.join(",", f.subList(UPDATED_AT, f.size())));
        }
        assertThat(linesPerVersion.values()).allSatisfy(versions -> assertThat(versions).hasSize(1));
    }

    @Test
    void filesSplitTheRowsEvenlyAndEachStartsWithTheHeader(@TempDir Path dir) throws IOException {
        OrdersGenerator.GeneratedFiles generated = new OrdersGenerator(new OrdersSpec(1, 1_003, 4)).writeFiles(dir);
        assertThat(generated.files()).hasSize(4);
        assertThat(generated.rowsPerFile()).containsExactly(250L, 251L, 251L, 251L);
        assertThat(generated.summary().rows()).isEqualTo(1_003);
        for (int i = 0; i < 4; i++) {
            List<String> lines = Files.readAllLines(generated.files().get(i), StandardCharsets.UTF_8);
            assertThat(lines.get(0)).isEqualTo(String.join(",", OrdersGenerator.COLUMNS));
            assertThat(lines).hasSize(generated.rowsPerFile().get(i).intValue() + 1);
        }
        StringWriter whole = new StringWriter();
        new OrdersGenerator(new OrdersSpec(1, 1_003, 4)).writeCsv(whole);
        List<String> concatenated = new java.util.ArrayList<>();
        for (Path file : generated.files()) {
            concatenated.addAll(Files.readAllLines(file, StandardCharsets.UTF_8).subList(1, Files.readAllLines(file).size()));
        }
        assertThat(concatenated).isEqualTo(whole.toString().lines().skip(1).toList());
    }

    @Test
    void aSpecThatCannotBeGeneratedIsRefusedWithTheReason() {
        assertThatThrownBy(() -> new OrdersSpec(1, 0, 1)).hasMessageContaining("rows");
        assertThatThrownBy(() -> new OrdersSpec(1, 3, 4)).hasMessageContaining("files (4) must not exceed rows (3)");
        assertThat(OrdersSpec.ofRows(1, 10_000_000).files()).isEqualTo(10);
        assertThat(OrdersSpec.ofRows(1, 2).files()).isEqualTo(2);
    }

    private static boolean parses(String timestamp) {
        try {
            LocalDateTime.parse(timestamp, TS);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String csv(OrdersSpec spec) throws IOException {
        StringWriter out = new StringWriter();
        new OrdersGenerator(spec).writeCsv(out);
        return out.toString();
    }
}
