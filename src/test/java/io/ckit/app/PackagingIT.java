package io.ckit.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * The jars {@code ./mvnw package} builds, read after the package phase: the main artifact, which is what an
 * application depending on {@code io.ckit:ckit-vertx} gets, must be the thin library (a fat one would put a
 * second copy of Vert.x, Netty and Jackson on its classpath), and the runnable, self-contained jar must keep
 * README's path, {@code target/ckit-vertx.jar}.
 */
class PackagingIT {

  /** Packages of our dependencies; the POM declares them, the library jar must not carry them. */
  private static final List<String> DEPENDENCY_PACKAGES =
      List.of("io/vertx/", "io/netty/", "com/fasterxml/", "org/msgpack/", "com/dynatrace/");

  private static final Path RUNNABLE = Path.of("target", "ckit-vertx.jar");

  private static List<String> entries(Path jar) throws Exception {
    assertThat(jar).as("jar built by ./mvnw package").isRegularFile();
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().map(JarEntry::getName).toList();
    }
  }

  private static long count(List<String> entries, String prefix) {
    return entries.stream().filter(name -> name.startsWith(prefix) && name.endsWith(".class")).count();
  }

  @Test
  void mainArtifactIsTheThinLibrary() throws Exception {
    Path jar = Path.of(System.getProperty("ckit.mainArtifact"));
    List<String> entries = entries(jar);
    assertThat(count(entries, "io/ckit/")).as("io/ckit classes in %s", jar).isPositive();
    List<String> bundled =
        entries.stream().filter(name -> DEPENDENCY_PACKAGES.stream().anyMatch(name::startsWith)).toList();
    assertThat(bundled.size()).as("entries of %s under %s, e.g. %s", jar, DEPENDENCY_PACKAGES,
        bundled.stream().limit(5).toList()).isZero();
  }

  @Test
  void libraryKeepsItsDependenciesDeclared() {
    // Shade writes this file only when it swaps the project's POM for it, and it lacks every dependency the
    // runnable jar bundles: the library would be installed declaring no Vert.x, Netty or Jackson.
    assertThat(Path.of("dependency-reduced-pom.xml")).as("shade's dependency-reduced POM").doesNotExist();
  }

  @Test
  void runnableJarIsSelfContained() throws Exception {
    List<String> entries = entries(RUNNABLE);
    assertThat(count(entries, "io/ckit/")).isPositive();
    assertThat(count(entries, "io/vertx/")).isPositive();
    assertThat(count(entries, "io/netty/")).isPositive();
    try (JarFile file = new JarFile(RUNNABLE.toFile())) {
      Manifest manifest = file.getManifest();
      assertThat(manifest).isNotNull();
      assertThat(manifest.getMainAttributes().getValue("Main-Class")).isEqualTo(Main.class.getName());
    }
  }

  @Test
  void runnableJarStartsOnItsOwn() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "packaging-it"));
    Path out = dir.resolve("owners.out");
    Path err = dir.resolve("owners.err");
    // Only the jar on the class path: a missing dependency or a broken manifest shows here.
    Process process = new ProcessBuilder(
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
        "-jar", RUNNABLE.toString(), "owners", "--peers", "a,b,c", "--key", "some-key")
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("java -jar %s owners exits", RUNNABLE).isTrue();
    } finally {
      process.destroyForcibly();
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    String errors = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("exit status; stdout: %s; stderr: %s", output, errors).isZero();
    assertThat(output.lines().toList()).as("stdout; stderr: %s", errors).singleElement().isIn("a", "b", "c");
  }
}
