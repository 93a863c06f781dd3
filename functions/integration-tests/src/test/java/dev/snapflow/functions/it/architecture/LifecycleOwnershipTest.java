package dev.snapflow.functions.it.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One owner of a process's life: only the ledger ({@code dev.snapflow.functions.shared.lifecycle}) writes the
 * tables {@code processes}, {@code steps} and {@code attempts}, and the domain it follows (state machine, decider) is
 * plain Java. Sits here because this module sees every function's classes. SQL text is not visible in byte code,
 * so the write check reads the main sources of the whole repository; the dependency checks read the classes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LifecycleOwnershipTest {
    private static final String LEDGER_PACKAGE = "dev.snapflow.functions.shared.lifecycle";
    /** A write to one of the lifecycle tables, however the SQL text is split over lines. */
    private static final Pattern LIFECYCLE_WRITE = Pattern.compile(
            "\\b(INSERT\\s+INTO|UPDATE|DELETE\\s+FROM|MERGE\\s+INTO|TRUNCATE(\\s+TABLE)?)\\s+(processes|steps|attempts)\\b",
            Pattern.CASE_INSENSITIVE);

    private JavaClasses snapflowClasses;
    private Path repository;

    @BeforeAll
    void importClasses() {
        repository = Path.of("").toAbsolutePath();
        while (!Files.exists(repository.resolve("mvnw"))) {
            repository = repository.getParent();
        }
        // The functions' classes are not on this module's class path (it starts their jars): read the class folders
        // the reactor built before this module (its pom dependencies order the build).
        List<Path> classFolders = Stream.of("functions/shared", "functions/validate", "functions/enqueue",
                        "functions/launch", "functions/callback", "cloudevents-schemas")
                .map(module -> repository.resolve(module).resolve("target/classes")).toList();
        assertThat(classFolders).allMatch(Files::isDirectory, "built");
        snapflowClasses = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPaths(classFolders);
        assertThat(snapflowClasses.containPackage("dev.snapflow.functions.shared.domain")).isTrue();
        assertThat(snapflowClasses.containPackage("dev.snapflow.functions.callback.status")).isTrue();
    }

    @Test
    void noClassOutsideTheLedgerWritesTheLifecycleTables() {
        List<Path> sources = mainSources();
        List<String> writers = new ArrayList<>();
        for (Path source : sources) {
            String packagePath = LEDGER_PACKAGE.replace('.', '/') + "/";
            if (source.toString().replace('\\', '/').contains("/src/main/java/" + packagePath)) {
                continue;
            }
            String text = read(source);
            Matcher write = LIFECYCLE_WRITE.matcher(text);
            while (write.find()) {
                int line = (int) text.substring(0, write.start()).chars().filter(c -> c == '\n').count() + 1;
                writers.add(repository.relativize(source) + ":" + line + " " + write.group().replaceAll("\\s+", " "));
            }
        }

        assertThat(sources).as("main sources found under " + repository).hasSizeGreaterThan(50);
        assertThat(writers).as("only " + LEDGER_PACKAGE + " may write processes, steps and attempts").isEmpty();
    }

    @Test
    void theLedgerIsWhereTheLifecycleWritesAre() {
        // Guards the check above against a pattern that matches nothing.
        Path ledger = repository.resolve("functions/shared/src/main/java/" + LEDGER_PACKAGE.replace('.', '/') + "/Ledger.java");
        Matcher write = LIFECYCLE_WRITE.matcher(read(ledger));
        List<String> tables = new ArrayList<>();
        while (write.find()) {
            tables.add(write.group(3).toLowerCase());
        }
        assertThat(tables).contains("processes", "steps", "attempts");
    }

    @Test
    void theDomainIsPlainJava() {
        ArchRule rule = classes().that().resideInAPackage("dev.snapflow.functions.shared.domain..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.snapflow.functions.shared.domain..",
                        "dev.snapflow.contracts.jobs..")
                .because("the state machine and the decider are decided in plain Java, unit-tested without I/O");
        rule.check(snapflowClasses);
    }

    @Test
    void theDomainDoesNotReachIntoTheLedger() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.snapflow.functions.shared.domain..")
                .should().dependOnClassesThat().resideInAPackage(LEDGER_PACKAGE + "..")
                .because("the domain decides and the ledger writes, not the other way round");
        rule.check(snapflowClasses);
    }

    @Test
    void theDispatcherTheReportHandlerAndTheCancellerLeaveSqlToTheLedger() {
        // They decided and wrote the lifecycle in inline SQL before the ledger; now they call it.
        ArchRule rule = noClasses().that().haveFullyQualifiedName("dev.snapflow.functions.enqueue.JobDispatcher")
                .or().haveFullyQualifiedName("dev.snapflow.functions.callback.status.StatusReports")
                .or().haveFullyQualifiedName("dev.snapflow.functions.validate.accept.ProcessCanceller")
                .should().callMethod(Connection.class, "prepareStatement", String.class)
                .because("the ledger owns the lifecycle tables");
        rule.check(snapflowClasses);
    }

    private List<Path> mainSources() {
        try (Stream<Path> files = Files.walk(repository)) {
            return files.filter(path -> path.toString().endsWith(".java"))
                    .filter(path -> path.toString().replace('\\', '/').contains("/src/main/java/"))
                    .filter(path -> !path.toString().contains("/target/") && !path.toString().contains("/.git/"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path source) {
        try {
            return Files.readString(source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
