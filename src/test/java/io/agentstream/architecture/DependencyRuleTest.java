package io.agentstream.architecture;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dependency rule of docs/architecture.md: features depend on the shared layers
 * ({@code http}, {@code database}, {@code problem}), which depend on the kernel
 * ({@code event}, {@code validation}, {@code config}), never the other way; between features
 * only the listed edges exist; and no package cycle anywhere.
 */
class DependencyRuleTest {

    private static final String ROOT = "io.agentstream";
    private static final Set<String> KERNEL = Set.of("event", "validation", "config");
    private static final Set<String> SHARED = Set.of("http", "database", "problem");
    /** The only dependencies from one feature to another. */
    private static final Map<String, Set<String>> FEATURE_EDGES = Map.of(
            "upload", Set.of("ingest"),
            "conversation", Set.of("upload"),
            "ratelimit", Set.of("auth"),
            "ops", Set.of("ratelimit"));

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    }

    /** Every top-level package under the root that is neither kernel nor shared: the features. */
    private static Set<String> features() {
        Set<String> features = new TreeSet<>();
        for (JavaClass javaClass : classes) {
            String rest = javaClass.getPackageName().equals(ROOT) ? "" : javaClass.getPackageName().substring(ROOT.length() + 1);
            String top = rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest;
            if (!top.isEmpty() && !KERNEL.contains(top) && !SHARED.contains(top)) {
                features.add(top);
            }
        }
        return features;
    }

    private static String[] packages(Set<String> names) {
        return names.stream().map(name -> ROOT + "." + name + "..").toArray(String[]::new);
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theKernelDependsOnNoOtherPartOfTheService() {
        Set<String> above = new TreeSet<>(SHARED);
        above.addAll(features());
        noClasses().that().resideInAnyPackage(packages(KERNEL))
                .should().dependOnClassesThat().resideInAnyPackage(packages(above))
                .orShould().dependOnClassesThat().resideInAPackage(ROOT)
                .check(classes);
    }

    @Test
    void theSharedLayersDependOnNoFeature() {
        noClasses().that().resideInAnyPackage(packages(SHARED))
                .should().dependOnClassesThat().resideInAnyPackage(packages(features()))
                .orShould().dependOnClassesThat().resideInAPackage(ROOT)
                .check(classes);
    }

    @Test
    void featuresDependOnOtherFeaturesOnlyAlongTheListedEdges() {
        Set<String> features = features();
        assertThat(features).contains("ingest", "stream", "upload", "conversation", "auth", "ratelimit", "ops");
        for (String feature : features) {
            Set<String> forbidden = new TreeSet<>(features);
            forbidden.remove(feature);
            forbidden.removeAll(FEATURE_EDGES.getOrDefault(feature, Set.of()));
            noClasses().that().resideInAPackage(ROOT + "." + feature + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(packages(forbidden))
                    .check(classes);
        }
    }
}
