package dev.snapflow.local.sampledata;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a realistic raw e-commerce orders export as CSV, with the dirt real exports have: exact duplicate
 * lines, late updates of an order (same order_id, later updated_at, moved-on status), empty values,
 * malformed numbers and timestamps, inconsistent casing and stray whitespace.
 * <p>
 * Lines are streamed: memory stays bounded by a small window of recent orders (the ones that can be
 * duplicated or updated), whatever the row count. The same {@link OrdersSpec} always gives the same bytes.
 */
public final class OrdersGenerator {
    public static final List<String> COLUMNS = List.of("order_id", "customer_id", "customer_email", "country",
            "status", "product_sku", "category", "quantity", "unit_price", "total_amount", "currency",
            "payment_method", "order_ts", "updated_at", "note");

    /** The timestamp text format of order_ts and updated_at when they are well formed. */
    public static final String TIMESTAMP_PATTERN = "yyyy-MM-dd HH:mm:ss";

    static final List<String> STATUSES = List.of("pending", "paid", "shipped", "delivered", "cancelled", "returned");
    static final List<String> COUNTRIES = List.of("DE", "FR", "ES", "IT", "NL", "PL", "SE", "US", "GB", "PT");
    static final List<String> CURRENCIES = List.of("EUR", "USD", "GBP");
    static final List<String> PAYMENT_METHODS = List.of("card", "paypal", "invoice", "bank_transfer");
    private static final List<String> CATEGORIES = List.of("books", "electronics", "garden", "toys", "kitchen", "sports");
    private static final List<String> NOTES = List.of("leave at the door", "gift, please wrap",
            "call before delivery", "fragile \"glass\" inside", "second floor, ring twice");
    private static final String[] BAD_NUMBERS = {"two", "1O", "12,50", "N/A", "-", "€9.99"};
    private static final String[] BAD_TIMESTAMPS = {"2024-02-30 10:00:00", "31/12/2024 10:00", "not a date",
            "2024-13-01 00:00:00", "yesterday"};

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern(TIMESTAMP_PATTERN, Locale.ROOT);
    private static final LocalDateTime EPOCH = LocalDateTime.of(2024, 1, 1, 0, 0);
    private static final int WINDOW = 2_048;

    private static final double DUPLICATE_RATE = 0.02;
    private static final double LATE_UPDATE_RATE = 0.04;
    private static final double MALFORMED_NUMBER_RATE = 0.005;
    private static final double MALFORMED_TIMESTAMP_RATE = 0.003;
    private static final double MISSING_RATE = 0.01;
    private static final double ODD_CASING_RATE = 0.10;
    private static final double PADDING_RATE = 0.05;
    private static final double OUT_OF_RANGE_QUANTITY_RATE = 0.003;

    private final OrdersSpec spec;

    public OrdersGenerator(OrdersSpec spec) {
        this.spec = spec;
    }

    /** Writes {@code spec.files()} files named {@code orders-00000.csv}, ... into {@code dir}; returns them in order. */
    public GeneratedFiles writeFiles(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> paths = new ArrayList<>();
        List<Long> rowsPerFile = new ArrayList<>();
        State state = new State(new SplittableRandom(spec.seed()));
        long written = 0;
        for (int f = 0; f < spec.files(); f++) {
            long rows = spec.rows() * (f + 1) / spec.files() - written;
            Path path = dir.resolve(String.format(Locale.ROOT, "orders-%05d.csv", f));
            try (Writer out = new BufferedWriter(Files.newBufferedWriter(path, StandardCharsets.UTF_8), 1 << 16)) {
                writeHeader(out);
                for (long i = 0; i < rows; i++) {
                    state.writeLine(out);
                }
            }
            written += rows;
            paths.add(path);
            rowsPerFile.add(rows);
        }
        return new GeneratedFiles(paths, rowsPerFile, state.summary());
    }

    /** Writes all rows as one CSV stream (header first) to {@code out}. */
    public GenerationSummary writeCsv(Writer out) throws IOException {
        State state = new State(new SplittableRandom(spec.seed()));
        writeHeader(out);
        for (long i = 0; i < spec.rows(); i++) {
            state.writeLine(out);
        }
        out.flush();
        return state.summary();
    }

    private static void writeHeader(Writer out) throws IOException {
        out.write(String.join(",", COLUMNS));
        out.write('\n');
    }

    /** The generated files, the rows in each, and what dirt they carry. */
    public record GeneratedFiles(List<Path> files, List<Long> rowsPerFile, GenerationSummary summary) {
        public GeneratedFiles {
            files = List.copyOf(files);
            rowsPerFile = List.copyOf(rowsPerFile);
        }
    }

    /** One order as first placed; late updates derive from it. */
    private record Order(long number, String customerId, String email, String country, int statusIndex,
                         String sku, String category, int quantity, long unitPriceCents, String currency,
                         String paymentMethod, LocalDateTime orderTs, LocalDateTime updatedAt, String note) {
        Order updated(SplittableRandom random) {
            int nextStatus = Math.min(STATUSES.size() - 1, statusIndex + 1 + random.nextInt(2));
            LocalDateTime later = updatedAt.plusMinutes(1 + random.nextInt(72 * 60));
            int newQuantity = random.nextInt(10) == 0 ? Math.max(1, quantity - 1) : quantity;
            return new Order(number, customerId, email, country, nextStatus, sku, category, newQuantity,
                    unitPriceCents, currency, paymentMethod, orderTs, later, note);
        }
    }

    private static final class State {
        private final SplittableRandom random;
        private final Order[] window = new Order[WINDOW];
        private final String[] windowLines = new String[WINDOW];
        private int windowSize;
        private long nextOrderNumber = 1;
        private long rows;
        private long duplicates;
        private long lateUpdates;
        private long malformedNumbers;
        private long malformedTimestamps;
        private long missing;
        private long oddCasing;
        private long padded;
        private final StringBuilder line = new StringBuilder(256);

        State(SplittableRandom random) {
            this.random = random;
        }

        void writeLine(Writer out) throws IOException {
            rows++;
            double dice = random.nextDouble();
            String text;
            if (windowSize > 0 && dice < DUPLICATE_RATE) {
                duplicates++;
                text = windowLines[random.nextInt(windowSize)];
            } else if (windowSize > 0 && dice < DUPLICATE_RATE + LATE_UPDATE_RATE) {
                lateUpdates++;
                int slot = random.nextInt(windowSize);
                Order update = window[slot].updated(random);
                text = render(update);
                window[slot] = update;
                windowLines[slot] = text;
            } else {
                Order order = newOrder();
                text = render(order);
                int slot = windowSize < WINDOW ? windowSize++ : random.nextInt(WINDOW);
                window[slot] = order;
                windowLines[slot] = text;
            }
            out.write(text);
            out.write('\n');
        }

        private Order newOrder() {
            long number = nextOrderNumber++;
            int quantity = 1 + random.nextInt(5);
            if (random.nextDouble() < OUT_OF_RANGE_QUANTITY_RATE) {
                quantity = random.nextBoolean() ? 0 : 999;
            }
            LocalDateTime orderTs = EPOCH.plusSeconds((long) (number * 37L + random.nextInt(3_600)));
            LocalDateTime updatedAt = orderTs.plusSeconds(random.nextInt(600));
            return new Order(number,
                    String.format(Locale.ROOT, "C%06d", 1 + random.nextInt(50_000)),
                    null,
                    COUNTRIES.get(random.nextInt(COUNTRIES.size())),
                    random.nextInt(3),
                    String.format(Locale.ROOT, "SKU-%05d", random.nextInt(5_000)),
                    CATEGORIES.get(random.nextInt(CATEGORIES.size())),
                    quantity,
                    199 + random.nextInt(30_000),
                    CURRENCIES.get(random.nextInt(CURRENCIES.size())),
                    PAYMENT_METHODS.get(random.nextInt(PAYMENT_METHODS.size())),
                    orderTs, updatedAt,
                    random.nextInt(20) == 0 ? NOTES.get(random.nextInt(NOTES.size())) : "");
        }

        /** Renders one line, dirtying individual fields; the order itself stays clean in the window. */
        private String render(Order order) {
            boolean dirtyCase = random.nextDouble() < ODD_CASING_RATE;
            boolean dirtySpace = random.nextDouble() < PADDING_RATE;
            boolean dirtyNumber = random.nextDouble() < MALFORMED_NUMBER_RATE;
            boolean dirtyTimestamp = random.nextDouble() < MALFORMED_TIMESTAMP_RATE;
            boolean dirtyMissing = random.nextDouble() < MISSING_RATE;
            oddCasing += dirtyCase ? 1 : 0;
            padded += dirtySpace ? 1 : 0;
            malformedNumbers += dirtyNumber ? 1 : 0;
            malformedTimestamps += dirtyTimestamp ? 1 : 0;
            missing += dirtyMissing ? 1 : 0;

            String customerId = order.customerId();
            String email = "customer" + customerId.substring(1) + "@example.com";
            String status = STATUSES.get(order.statusIndex());
            String country = order.country();
            String quantity = Integer.toString(order.quantity());
            String unitPrice = cents(order.unitPriceCents());
            String total = cents(order.unitPriceCents() * order.quantity());
            String orderTs = TIMESTAMP.format(order.orderTs());
            String updatedAt = TIMESTAMP.format(order.updatedAt());
            String payment = order.paymentMethod();

            if (dirtyCase) {
                switch (random.nextInt(3)) {
                    case 0 -> status = status.toUpperCase(Locale.ROOT);
                    case 1 -> country = country.toLowerCase(Locale.ROOT);
                    default -> email = email.toUpperCase(Locale.ROOT);
                }
            }
            if (dirtySpace) {
                switch (random.nextInt(3)) {
                    case 0 -> status = "  " + status + " ";
                    case 1 -> country = " " + country;
                    default -> email = email + "  ";
                }
            }
            if (dirtyNumber) {
                String bad = BAD_NUMBERS[random.nextInt(BAD_NUMBERS.length)];
                switch (random.nextInt(3)) {
                    case 0 -> quantity = bad;
                    case 1 -> unitPrice = bad;
                    default -> total = bad;
                }
            }
            if (dirtyTimestamp) {
                orderTs = BAD_TIMESTAMPS[random.nextInt(BAD_TIMESTAMPS.length)];
            }
            if (dirtyMissing) {
                switch (random.nextInt(4)) {
                    case 0 -> customerId = "";
                    case 1 -> email = "";
                    case 2 -> country = "";
                    default -> payment = "";
                }
            }

            line.setLength(0);
            field(String.format(Locale.ROOT, "ORD-%09d", order.number())).append(',');
            field(customerId).append(',');
            field(email).append(',');
            field(country).append(',');
            field(status).append(',');
            field(order.sku()).append(',');
            field(order.category()).append(',');
            field(quantity).append(',');
            field(unitPrice).append(',');
            field(total).append(',');
            field(order.currency()).append(',');
            field(payment).append(',');
            field(orderTs).append(',');
            field(updatedAt).append(',');
            field(order.note());
            return line.toString();
        }

        /** RFC 4180: quote a field that holds a comma, a quote or surrounding space; double inner quotes. */
        private StringBuilder field(String value) {
            boolean quote = value.indexOf(',') >= 0 || value.indexOf('"') >= 0
                    || (!value.isEmpty() && (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' '));
            if (!quote) {
                return line.append(value);
            }
            return line.append('"').append(value.replace("\"", "\"\"")).append('"');
        }

        private static String cents(long cents) {
            return (cents / 100) + "." + (cents % 100 < 10 ? "0" : "") + (cents % 100);
        }

        GenerationSummary summary() {
            return new GenerationSummary(rows, nextOrderNumber - 1, duplicates, lateUpdates, malformedNumbers,
                    malformedTimestamps, missing, oddCasing, padded);
        }
    }
}
